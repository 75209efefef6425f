"""The semantic head and loss as ESPnet ClassChoices: --print_config, argparse, old configs."""

import io
import subprocess
import sys

import pytest
import yaml
from tiny_st import EMB_DIM, LAU_CONFIG, REPO, tiny_args

from espnet_lau.bin.lau_st_train import get_parser
from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.loss import InfoNCESemanticLoss
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS


def print_config(monkeypatch, *options):
    """``LAUSTTask.print_config`` for ``*options``, parsed (ESPnet reads them from sys.argv)."""
    monkeypatch.setattr(sys, "argv", ["lau_st_train", "--print_config", *options])
    out = io.StringIO()
    LAUSTTask.print_config(file=out)
    return yaml.safe_load(out.getvalue())


@pytest.fixture(scope="module")
def printed_infonce():
    """What ``python -m espnet_lau.bin.lau_st_train --print_config --semantic_loss infonce`` prints."""
    command = [sys.executable, "-m", "espnet_lau.bin.lau_st_train", "--print_config", "--semantic_loss", "infonce"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    return yaml.safe_load(done.stdout)


def test_print_config_shows_the_defaults_of_the_head_and_the_loss(printed_infonce):
    config = printed_infonce
    assert config["semantic_head"] == "mlp"
    # output_size has no default (the sem_emb dimension); the task passes the rest itself.
    assert config["semantic_head_conf"] == {"hidden_size": None, "pooling": "mean", "dropout": 0.0}
    assert config["semantic_loss"] == "infonce"
    assert config["semantic_loss_conf"] == {"temperature": 0.07}
    assert {"semantic_head", "semantic_head_conf", "semantic_loss", "semantic_loss_conf"} <= set(LAU_CONFIG_KEYS)


def test_print_config_keeps_the_given_options(monkeypatch):
    config = print_config(monkeypatch, "--semantic_head_conf", "dropout=0.1")
    assert config["semantic_head_conf"]["dropout"] == 0.1
    assert (config["semantic_loss"], config["semantic_loss_conf"]) == ("mse", {})


def test_the_printed_lau_options_build_the_model(printed_infonce, tmp_path):
    printed = printed_infonce
    config = yaml.safe_load(LAU_CONFIG.read_text())
    config.update({key: printed[key] for key in LAU_CONFIG_KEYS if key in printed})
    config["semantic_weight"] = 1.0
    (tmp_path / "train.yaml").write_text(yaml.safe_dump(config))
    args = tiny_args(tmp_path / "train.yaml", "--semantic_head_conf", f"output_size={EMB_DIM}")
    model = LAUSTTask.build_model(args)
    assert isinstance(model.semantic_head, SemanticHead) and model.semantic_head.output_size == EMB_DIM
    assert isinstance(model.semantic_loss, InfoNCESemanticLoss) and model.semantic_loss.temperature == 0.07


def test_an_unknown_loss_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as exit_info:
        get_parser().parse_args(["--semantic_loss", "bogus"])
    assert exit_info.value.code == 2
    assert "argument --semantic_loss: invalid choice: 'bogus' (choose from 'mse', 'cosine', 'infonce')" in capsys.readouterr().err


def test_a_config_written_before_semantic_head_builds_the_mlp_head():
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", f"output_size={EMB_DIM}")
    del args.semantic_head  # config.yaml of a model trained before the option existed
    assert isinstance(LAUSTTask.build_model(args).semantic_head, SemanticHead)
