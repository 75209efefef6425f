"""export_stock: a LAU checkpoint becomes exactly a stock ESPnet ST model."""

import argparse
import subprocess
import sys

import numpy as np
import pytest
import torch
import yaml
from espnet2.bin.st_inference import Speech2Text
from espnet2.tasks.st import STTask
from tiny_st import save_tiny_lau_checkpoint

from espnet_lau.bin.export_stock import main as export_main
from espnet_lau.export import export_stock
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS
from espnet_lau.utils.export_record import ExportError


@pytest.fixture(scope="module")
def lau_checkpoint(tmp_path_factory):
    """A tiny LAU model with random (untrained) weights, saved as lau_st_train does."""
    outdir = tmp_path_factory.mktemp("lau_exp")
    return outdir, save_tiny_lau_checkpoint(outdir)


def test_export_is_a_strict_stock_model(lau_checkpoint, tmp_path):
    expdir, _ = lau_checkpoint
    config, model_file = export_stock(expdir / "config.yaml", expdir / "valid.acc.ave.pth", tmp_path)
    exported = yaml.safe_load(config.read_text())
    assert not set(LAU_CONFIG_KEYS) & set(exported)
    assert [e[1] for e in exported["train_data_path_and_name_and_type"]] == ["speech"]
    state = torch.load(model_file)
    assert not any(k.startswith("semantic_head.") for k in state)
    stock = STTask.build_model(argparse.Namespace(**exported))
    stock.load_state_dict(state, strict=True)
    assert type(stock).__name__ == "ESPnetSTModel"


def test_export_decodes_the_same_hypotheses(lau_checkpoint, tmp_path):
    expdir, lau_model = lau_checkpoint
    config, model_file = export_stock(expdir / "config.yaml", expdir / "valid.acc.ave.pth", tmp_path)
    options = dict(beam_size=2, maxlenratio=0.5, device="cpu")
    stock = Speech2Text(st_train_config=config, st_model_file=model_file, **options)
    assert type(stock.st_model).__name__ == "ESPnetSTModel"
    with_head = Speech2Text(st_train_config=config, st_model_file=model_file, **options)
    with_head.st_model = lau_model.eval()  # the LAU checkpoint itself, head attached
    rng = np.random.default_rng(0)
    for n in (6000, 9000):
        speech = rng.standard_normal(n).astype(np.float32)
        hyp_stock = stock(speech)[0][0]
        hyp_lau = with_head(speech)[0][0]
        assert hyp_stock == hyp_lau and len(hyp_stock) > 0


def test_refuses_a_config_that_is_not_lau(lau_checkpoint, tmp_path):
    expdir, _ = lau_checkpoint
    config = yaml.safe_load((expdir / "config.yaml").read_text())
    for key in LAU_CONFIG_KEYS:
        config.pop(key)
    (tmp_path / "stock.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ExportError, match="stock.yaml has none of the LAU keys"):
        export_stock(tmp_path / "stock.yaml", expdir / "valid.acc.ave.pth", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_refuses_a_config_that_is_not_st(lau_checkpoint, tmp_path):
    expdir, _ = lau_checkpoint
    config = yaml.safe_load((expdir / "config.yaml").read_text())
    del config["src_token_list"]
    (tmp_path / "asr.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ExportError, match="asr.yaml is not an ST training config"):
        export_stock(tmp_path / "asr.yaml", expdir / "valid.acc.ave.pth", tmp_path / "out")


def test_refuses_weights_of_another_model_and_writes_nothing(lau_checkpoint, tmp_path):
    expdir, _ = lau_checkpoint
    state = torch.load(expdir / "valid.acc.ave.pth")
    state.pop("decoder.output_layer.bias")
    torch.save({"model": state, "optimizers": []}, tmp_path / "checkpoint.pth")
    with pytest.raises(ExportError, match="(?s)does not load strictly.*Missing.*decoder.output_layer.bias"):
        export_stock(expdir / "config.yaml", tmp_path / "checkpoint.pth", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli(lau_checkpoint, tmp_path, capsys):
    expdir, _ = lau_checkpoint
    export_main(["--config", str(expdir / "config.yaml"), "--model_file",
                 str(expdir / "valid.acc.ave.pth"), "--outdir", str(tmp_path)])
    assert (tmp_path / "config.yaml").exists() and (tmp_path / "model.pth").exists()
    with pytest.raises(SystemExit) as e:
        export_main(["--config", str(expdir / "config.yaml"), "--model_file",
                     str(tmp_path / "missing.pth"), "--outdir", str(tmp_path / "x")])
    assert e.value.code != 0
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"export_stock: error: {tmp_path / 'missing.pth'} does not exist"


@pytest.mark.parametrize("entry", ["export_stock", "lau_st_train"])
def test_help(entry):
    out = subprocess.run([sys.executable, "-m", f"espnet_lau.bin.{entry}", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--config" in out


class _Pickled:
    """Stands for the non-tensor objects of ESPnet's resumable checkpoint.pth."""


def test_a_pickled_checkpoint_needs_trust_as_drift_does(lau_checkpoint, tmp_path):
    from espnet_lau.utils.checkpoint import CheckpointError

    expdir, _ = lau_checkpoint
    state = torch.load(expdir / "valid.acc.ave.pth")
    torch.save({"model": state, "reporter": _Pickled()}, tmp_path / "checkpoint.pth")
    with pytest.raises(CheckpointError, match="holds pickled objects other than tensors .*--trust_pickle true"):
        export_stock(expdir / "config.yaml", tmp_path / "checkpoint.pth", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    _, model = export_stock(expdir / "config.yaml", tmp_path / "checkpoint.pth", tmp_path / "out", trust_pickle=True)
    assert model.is_file()
