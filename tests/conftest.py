"""Test-wide settings: offline, CPU, quiet."""

import os

import pytest

from recipe_helpers import DEBUG, make_recipe_copy, run_recipe

# A hub lookup on our machines hangs for ~70 s before failing: never try one in tests.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("OMP_NUM_THREADS", "2")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that train real models (minutes)")


@pytest.fixture(scope="session")
def recipe(tmp_path_factory):
    """A recipe copy after stages 1-14 on the tiny corpus (debug configs); run.log holds
    its output. Shared by test_recipe and test_ablation."""
    recipe = make_recipe_copy(tmp_path_factory.mktemp("recipe"))
    proc = run_recipe(recipe, *DEBUG, "--stage", "1", "--stop_stage", "14")
    recipe.joinpath("run.log").write_text(proc.stdout + proc.stderr)
    return recipe
