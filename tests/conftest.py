"""Test-wide settings: offline, CPU, quiet."""

import os

import pytest

from recipe_helpers import DEBUG, make_recipe_copy, run_recipe

# A hub lookup on our machines hangs for ~70 s before failing: never try one in tests.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
# Under pytest-xdist (make test: two workers on two cores) each worker gets one thread.
os.environ.setdefault("OMP_NUM_THREADS", "1" if os.environ.get("PYTEST_XDIST_WORKER") else "2")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that train real models (minutes)")
    config.addinivalue_line("markers", "xdist_group(name): tests pytest-xdist runs on one worker")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist's ``--dist loadgroup``: every test that uses the session's
    ``recipe`` run goes to one worker (the run is built once, and some tests re-run its
    stages in place); every other test goes with its module (module fixtures run once)."""
    for item in items:
        group = "recipe" if "recipe" in getattr(item, "fixturenames", ()) else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def recipe(tmp_path_factory):
    """A recipe copy after stages 1-14 on the tiny corpus (debug configs); run.log holds
    its output. Shared by test_recipe and test_ablation."""
    recipe = make_recipe_copy(tmp_path_factory.mktemp("recipe"))
    proc = run_recipe(recipe, *DEBUG, "--stage", "1", "--stop_stage", "14")
    recipe.joinpath("run.log").write_text(proc.stdout + proc.stderr)
    return recipe
