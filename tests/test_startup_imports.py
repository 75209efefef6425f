"""The recipe's light tools start without the heavy libraries they do not use.

The recipe starts about fifteen ``python -m espnet_lau.bin.*`` processes per ST run;
importing torch costs about 2 s of CPU, scikit-learn or scipy.stats with pandas about
1.5 s more, ESPnet's ST task 5-10 s. A tool whose work needs none of them must not pay
for them at start-up (an import at the top of a shared module is enough to make every
tool pay). Each check runs the import in a fresh interpreter, as the recipe does, and
lists which of the heavy modules it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TORCH = "torch"
SKLEARN = "sklearn"
STATS = "statsmodels"
SCIPY_STATS = "scipy.stats"
ESPNET_TASK = "espnet2.tasks.abs_task"
ALL_HEAVY = (TORCH, SKLEARN, STATS, ESPNET_TASK)

#: (tool, heavy modules its import must not load): what the recipe runs once per ST run or more.
LIGHT_TOOLS = (
    # stage 7 and stage 11's cache check: reads meta.json and hashes files
    ("embed_text", (TORCH, SKLEARN, SCIPY_STATS, ESPNET_TASK)),
    # --verify reads source.json and hashes the model file; an export imports ESPnet then
    ("export_stock", ALL_HEAVY),
    # tables and plots; torch only when a checkpoint.pth is read
    ("make_results", ALL_HEAVY),
    ("grid_results", ALL_HEAVY),
    ("plot_training", ALL_HEAVY),
    ("save_run_record", (SKLEARN, STATS, ESPNET_TASK)),
    ("score_st", ALL_HEAVY),
    ("guard_inputs", ALL_HEAVY),
    ("check_configs", ALL_HEAVY),
    ("prepare_dump", ALL_HEAVY),
)


def loaded_modules(module: str, candidates) -> list:
    """Which of ``candidates`` a fresh interpreter has in ``sys.modules`` after importing ``module``."""
    code = (f"import json, sys, {module}; "
            f"print(json.dumps([m for m in {list(candidates)!r} if m in sys.modules]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("tool,forbidden", LIGHT_TOOLS, ids=[tool for tool, _ in LIGHT_TOOLS])
def test_a_light_tool_does_not_import_what_it_does_not_use(tool, forbidden):
    assert loaded_modules(f"espnet_lau.bin.{tool}", forbidden) == []


def test_the_training_names_of_the_semantic_package_still_import():
    code = ("import sys, espnet_lau.semantic as s; assert 'torch' not in sys.modules; "
            "s.SemanticHead, s.MSESemanticLoss; assert 'torch' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
