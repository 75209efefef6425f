"""Data preparation for the Bambara→French recipe: Kaldi data directories, the synthetic
mini corpus (espeak-ng) and the real Jeli-ASR corpus."""
