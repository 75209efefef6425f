"""An ``--init_param`` that cannot silently fail (espnet_lau/tasks/init_check.py), through the
training entry point ``lau_st_train`` with string arguments, as the recipe runs it."""

from __future__ import annotations

import logging

import pytest
import torch

from espnet_lau.tasks.init_check import InitParam, check_init_params_against
from espnet_lau.tasks.lau_st import LAUSTTask
from tiny_st import BASELINE_CONFIG, tiny_args, train_tiny_st


def save_encoder_checkpoint(path, *extra: str, rename=None) -> int:
    """A tiny ST model of the baseline debug config (``extra``: other options) saved as a
    state dict, its keys renamed by ``rename``; returns the number of its encoder tensors."""
    torch.manual_seed(1)
    model = LAUSTTask.build_model(tiny_args(BASELINE_CONFIG, *extra))
    state = model.state_dict()
    if rename:
        state = {rename(k): v for k, v in state.items()}
    torch.save(state, path)
    return len(model.encoder.state_dict())


def refused(tmp_path, capsys, *options: str) -> str:
    """The one line ``lau_st_train`` stops with, before any epoch."""
    with pytest.raises(SystemExit) as exit_info:
        train_tiny_st(tmp_path, *options)
    assert exit_info.value.code == 1
    assert not (tmp_path / "exp/checkpoint.pth").exists()  # refused before training
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lau_st_train: error:")]
    assert len(lines) == 1, lines
    return lines[0]


def test_keys_that_match_nothing_are_refused_before_training(tmp_path, capsys):
    ckpt = tmp_path / "renamed.pth"
    total = save_encoder_checkpoint(ckpt, rename=lambda k: "speech_" + k)
    line = refused(tmp_path, capsys, "--init_param", f"{ckpt}:encoder:encoder")
    assert f"0 of {total} encoder tensors load from {ckpt}" in line
    assert "speech_encoder" in line and "src_key" in line  # what the file holds, and the fix


def test_a_shape_mismatch_is_refused(tmp_path, capsys):
    ckpt = tmp_path / "wide.pth"
    save_encoder_checkpoint(ckpt, "--encoder_conf", "linear_units=48")
    line = refused(tmp_path, capsys, "--init_param", f"{ckpt}:encoder:encoder")
    assert "encoder.encoders.0.feed_forward.w_1.weight has shape (48, 32)" in line
    assert "(64, 32) in the model" in line and "--ignore_init_mismatch true" in line


def test_a_missing_tensor_is_refused(tmp_path, capsys):
    ckpt = tmp_path / "no_norm.pth"
    total = save_encoder_checkpoint(ckpt, rename=lambda k: k.replace("after_norm", "final_norm"))
    line = refused(tmp_path, capsys, "--init_param", f"{ckpt}:encoder:encoder")
    assert "encoder.after_norm.weight of the model is not in" in line
    assert f"2 such, {total - 2} of {total} would load" in line


def test_ignore_init_mismatch_goes_on_and_lists_what_was_skipped(tmp_path, caplog):
    ckpt = tmp_path / "wide.pth"
    total = save_encoder_checkpoint(ckpt, "--encoder_conf", "linear_units=48")
    caplog.set_level(logging.INFO)
    exp = train_tiny_st(tmp_path, "--init_param", f"{ckpt}:encoder:encoder", "--ignore_init_mismatch", "true")
    assert (exp / "checkpoint.pth").is_file()
    assert f"loaded {total - 3} of {total} encoder tensors from {ckpt}" in caplog.text
    skipped = next(r.getMessage() for r in caplog.records if "skipped (left as initialised)" in r.getMessage())
    assert "3 tensor(s)" in skipped and "encoder.encoders.0.feed_forward.w_1.weight (shape (48, 32)" in skipped


def test_the_good_path_loads_every_tensor_and_says_so(tmp_path, caplog):
    ckpt = tmp_path / "same.pth"
    total = save_encoder_checkpoint(ckpt)
    caplog.set_level(logging.INFO)
    exp = train_tiny_st(tmp_path, "--init_param", f"{ckpt}:encoder:encoder")
    assert f"loaded {total} of {total} encoder tensors from {ckpt}" in caplog.text
    assert "_lau_init_check" not in (exp / "config.yaml").read_text()  # the request is not recorded


def test_excludes_and_an_empty_exclude_count_as_espnet_counts_them(tmp_path):
    torch.manual_seed(1)
    model = LAUSTTask.build_model(tiny_args(BASELINE_CONFIG))
    ckpt = tmp_path / "model.pth"
    torch.save(model.state_dict(), ckpt)
    total = len(model.encoder.state_dict())
    embed = len([k for k in model.encoder.state_dict() if k.startswith("embed.")])
    match, = check_init_params_against(model, [f"{ckpt}:encoder:encoder:encoder.embed"], False)
    assert (len(match.loaded), match.total) == (total - embed, total - embed)
    # ESPnet's "<file>:a:b:" excludes every key (an empty prefix): nothing would load.
    assert InitParam.parse(f"{ckpt}:encoder:encoder:").excludes == ("",)
    with pytest.raises(ValueError, match="0 of 0 encoder tensors"):
        check_init_params_against(model, [f"{ckpt}:encoder:encoder:"], True)


def test_a_training_checkpoint_is_named_as_such(tmp_path):
    model = LAUSTTask.build_model(tiny_args(BASELINE_CONFIG))
    ckpt = tmp_path / "checkpoint.pth"
    torch.save({"model": model.state_dict(), "optimizers": [], "reporter": {}}, ckpt)
    with pytest.raises(ValueError, match="training checkpoint.pth .* valid.acc.ave.pth"):
        check_init_params_against(model, [f"{ckpt}:encoder:encoder"], True)
