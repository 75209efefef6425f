"""Fine-tuning OWSM (ESPnet's speech foundation models) with LAU: the checkpoint folder,
a new language token, the fine-tuning config and the prompted text files."""
