"""Test-wide settings: offline, CPU, quiet."""

import os

# A hub lookup on our machines hangs for ~70 s before failing: never try one in tests.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("OMP_NUM_THREADS", "2")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that train real models (minutes)")

