"""Test-wide settings: offline, CPU, quiet."""

import os
from pathlib import Path

import pytest
from filelock import FileLock

from recipe_helpers import DEBUG, make_recipe_copy, run_recipe

# A hub lookup on our machines hangs for ~70 s before failing: never try one in tests.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
# Under pytest-xdist (make test: two workers on two cores) each worker gets one thread.
os.environ.setdefault("OMP_NUM_THREADS", "1" if os.environ.get("PYTEST_XDIST_WORKER") else "2")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that train real models (minutes)")


#: The test files that take longest (``make test``'s ``--durations``: the reduced grid of
#: test_ablation.py alone runs about 10 of CI's minutes), in the order they start. Under
#: pytest-xdist's ``--dist loadfile --no-loadscope-reorder`` each file goes to the next free
#: worker in collection order; the default order (most tests first) started the grid last,
#: alone on one worker while the other had nothing left to do.
LONGEST_FIRST = ("test_ablation.py", "test_data_scale.py", "test_recipe_conventions.py", "test_recipe.py",
                 "test_ssl_training.py", "test_s2t_recipe.py", "test_semantic_weight.py",
                 "test_pretrained_encoder.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as collected


def _run_the_recipe(root: Path) -> Path:
    recipe = make_recipe_copy(root)
    proc = run_recipe(recipe, *DEBUG, "--stage", "1", "--stop_stage", "14")
    recipe.joinpath("run.log").write_text(proc.stdout + proc.stderr)
    return recipe


@pytest.fixture(scope="session")
def recipe(tmp_path_factory):
    """A recipe copy after stages 1-14 on the tiny corpus (debug configs); run.log holds
    its output. Shared by every test that reads a finished recipe run.

    Under pytest-xdist (``make test``: one worker per core, ``--dist loadfile``) the run is
    made once, by the first worker that needs it, in the folder the workers share; the
    others wait for it (a file lock) and read the same run.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _run_the_recipe(tmp_path_factory.mktemp("recipe"))
    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of this run
    with FileLock(str(shared / "recipe.lock")):
        done = shared / "recipe" / "st1" / "run.log"
        if not done.is_file():
            (shared / "recipe").mkdir(exist_ok=True)
            _run_the_recipe(shared / "recipe")
    return done.parent
