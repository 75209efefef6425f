"""λ at the start of LAU training (espnet_lau.tasks.semantic_weight), through lau_st_train's
command line: non-finite and contradicting options refused in one line, semantic_target_ratio
measured once and reused on resume, and ESPnet's multi-task (CTC) ST on the source text."""

import json

import pytest
import yaml
from recipe_helpers import lau_training_options
from tiny_st import LAU_CONFIG

from espnet_lau.bin import lau_st_train

REPO_CONF = LAU_CONFIG.parent


@pytest.mark.parametrize("options,message", [
    (["--semantic_weight", "nan"], "--semantic_weight: must be a finite number >= 0, got 'nan'"),
    (["--semantic_weight", "inf"], "--semantic_weight: must be a finite number >= 0, got 'inf'"),
    (["--semantic_weight", "-1"], "--semantic_weight: must be a finite number >= 0, got '-1.0'"),
    (["--semantic_weight", "none", "--semantic_target_ratio", "0"],
     "--semantic_target_ratio: must be a finite number > 0, got '0.0'"),
    (["--semantic_weight", "none", "--semantic_target_ratio", "nan"],
     "--semantic_target_ratio: must be a finite number > 0, got 'nan'"),
    (["--semantic_target_ratio", "1.0"], "semantic_weight (1) and semantic_target_ratio (1) are both set"),
    (["--semantic_weight", "0", "--semantic_target_norm", "standardize"],
     "semantic_weight is 0 with semantic_target_norm standardize"),
])
def test_lau_options_that_are_not_finite_or_contradict_are_one_line(options, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        lau_st_train.main(["--config", str(LAU_CONFIG), "--token_list", "x", "--output_dir",
                           str(tmp_path / "exp"), *options])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lau_st_train: error: ") and message in err[0]
    assert not (tmp_path / "exp").exists()  # refused before anything is written


def test_a_yaml_nan_in_a_config_is_refused(tmp_path, capsys):
    config = yaml.safe_load(LAU_CONFIG.read_text())
    config["semantic_weight"] = float("nan")  # what `semantic_weight: .nan` loads as
    bad = tmp_path / "nan.yaml"
    bad.write_text(yaml.safe_dump(config))
    with pytest.raises(SystemExit):
        lau_st_train.main(["--config", str(bad), "--token_list", "x"])
    assert "--semantic_weight: must be a finite number >= 0, got 'nan'" in capsys.readouterr().err


def _training_options(recipe, exp, config):
    return [*lau_training_options(recipe, config), "--ngpu", "0", "--num_workers", "0",
            "--use_tensorboard", "false", "--use_matplotlib", "false",
            "--max_epoch", "1", "--resume", "true", "--output_dir", str(exp)]


@pytest.mark.slow
def test_target_ratio_sets_lambda_once_and_a_resume_reuses_it(recipe, tmp_path, caplog):
    """semantic_target_ratio: λ measured on the first batches, trained with, saved; a resumed
    training (max_epoch raised) reads it back instead of measuring again."""
    exp = tmp_path / "exp"
    options = _training_options(recipe, exp, LAU_CONFIG)
    lau_st_train.main([*options, "--semantic_weight", "none", "--semantic_target_ratio", "0.5"])
    saved = json.loads((exp / "semantic_balance.json").read_text())
    trained = yaml.safe_load((exp / "config.yaml").read_text())
    assert saved["target_ratio_option"] == 0.5
    assert trained["semantic_weight"] == pytest.approx(saved["semantic_weight_trained"])
    assert trained["semantic_weight"] == pytest.approx(0.5 / saved["ratio_per_unit_lambda"])
    assert saved["ratio_trained"] == pytest.approx(0.5)
    # The source transcripts are given, but this config (asr_weight 0) does not use them.
    assert trained["src_token_list"] == ["<blank>", "<unk>", "<sos/eos>"]
    before = (exp / "semantic_balance.json").read_text()
    caplog.clear()
    with caplog.at_level("INFO"):
        lau_st_train.main([*options, "--semantic_weight", "none", "--semantic_target_ratio", "0.5",
                           "--max_epoch", "2"])
    assert "as measured at the first start" in caplog.text
    assert (exp / "semantic_balance.json").read_text() == before
    assert yaml.safe_load((exp / "config.yaml").read_text())["semantic_weight"] == trained["semantic_weight"]


@pytest.mark.slow
def test_a_ctc_config_trains_espnets_multi_task_st_on_the_source_text(recipe, tmp_path):
    """asr_weight > 0: the source BPE and transcripts reach the model (CTC + attention ASR)."""
    exp = tmp_path / "exp"
    lau_st_train.main([*_training_options(recipe, exp, LAU_CONFIG),
                       "--model_conf", "asr_weight=0.3", "--model_conf", "mtlalpha=0.3",
                       "--extra_asr_decoder", "transformer",
                       "--extra_asr_decoder_conf", "num_blocks=1", "--extra_asr_decoder_conf", "linear_units=64",
                       "--extra_asr_decoder_conf", "attention_heads=2"])
    trained = yaml.safe_load((exp / "config.yaml").read_text())
    src_tokens = (recipe / "data/token_list/src_bpe_unigram40/tokens.txt").read_text().split()
    assert trained["src_token_list"] == src_tokens and trained["model_conf"]["asr_weight"] == 0.3
    log = (exp / "train.log").read_text() if (exp / "train.log").exists() else ""
    from espnet_lau.evaluation.training_curves import read_curves
    curves = read_curves(exp / "checkpoint.pth")
    assert curves[1]["train"]["loss_asr"] > 0 and "loss_sem" in curves[1]["train"], log
