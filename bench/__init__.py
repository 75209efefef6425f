"""The `make bench` suite: what LAU costs next to the ESPnet ST baseline, measured.

One module per figure (see docs/bench.md); each runs alone (``python bench/<name>.py
--help``) and ``bench/run_all.py`` runs them all. Every figure is a ratio of two variants
measured side by side in one run, alternating, so that background load hits both alike.
"""
