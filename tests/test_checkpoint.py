"""PyTorch files that torch cannot read are named, with what to do."""

import pytest
import torch

from espnet_lau.utils.checkpoint import CheckpointError, torch_load
from recipe_helpers import run_module


@pytest.fixture
def corrupt_pth(tmp_path):
    """{kind: path} of files torch.load cannot read, each with another torch error."""
    good = tmp_path / "good.pth"
    torch.save({"model": {"encoder.w": torch.zeros(64, 64)}}, good)
    data = good.read_bytes()
    files = {"truncated": data[: len(data) // 2], "empty": b"", "garbage": b"hello \xff\xfe world",
             "latin-1": "éèà".encode("latin-1") * 20, "lfs pointer": b"version https://git-lfs.github.com/spec/v1\n"}
    paths = {}
    for kind, content in files.items():
        paths[kind] = tmp_path / f"{kind.replace(' ', '_')}.pth"
        paths[kind].write_bytes(content)
    return good, paths


@pytest.mark.parametrize("weights_only", [True, False])
def test_a_corrupt_pth_names_the_file(corrupt_pth, weights_only):
    good, paths = corrupt_pth
    assert torch_load(good, weights_only=weights_only)["model"]["encoder.w"].shape == (64, 64)
    for kind, path in paths.items():
        with pytest.raises(CheckpointError, match=rf"^{path} is not a readable PyTorch file .*truncated or "
                                                  r"corrupt.*re-run the stage that made it$"):
            torch_load(path, weights_only=weights_only)
    with pytest.raises(FileNotFoundError):
        torch_load(good.with_name("missing.pth"))


def test_param_drift_on_a_truncated_pth_says_one_line(corrupt_pth, tmp_path):
    good, paths = corrupt_pth
    proc = run_module("param_drift", "--init", str(good), "--final", str(paths["truncated"]), "--outdir", str(tmp_path / "d"))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"param_drift: error: {paths['truncated']} is not a readable PyTorch file (OSError: [Errno 22] "
        "Invalid argument): it is truncated or corrupt (an interrupted copy or training?); copy it again "
        "or re-run the stage that made it"]
    debug = run_module("param_drift", "--init", str(good), "--final", str(paths["truncated"]),
                 "--outdir", str(tmp_path / "d"), "--log_level", "DEBUG")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "param_drift: error:" in debug.stderr
