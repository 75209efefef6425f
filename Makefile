# The two commands of the README do all the set-up on a fresh machine:
#   make demo   the recipe egs2/bambara_fr/st1 on its offline mini corpus (stages 1-14)
#   make test   the test suite (CPU, offline)
# and make bench: LAU vs baseline cost ratios (bench/, docs/bench.md), printed as a
# table and written to bench/out/bench.json (4-7 minutes on 2 shared CPU cores);
# make bench-scale: the data stages at 1x, 4x and 16x the mini corpus (bench/data_scale.py,
# docs/scale.md; about an hour on 2 cores).
SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
RECIPE := egs2/bambara_fr/st1

.PHONY: install demo test bench bench-scale

install:
	tools/install.sh

demo: install
	cd $(RECIPE) && ./run.sh

# One worker per core (pytest-xdist), each test file on one worker (its module fixtures run
# once), the longest files first (tests/conftest.py: LONGEST_FIRST; --no-loadscope-reorder
# keeps that order); the recipe run the tests read is made once for all workers
# (tests/conftest.py); --durations lists where the time goes.
test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PYTHON) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder --durations=40 tests

bench: install
	$(PYTHON) bench/run_all.py

bench-scale: install
	$(PYTHON) bench/data_scale.py --plot docs/measurements/data_scale.png
