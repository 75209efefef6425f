"""conf/tuning: every config builds, and the LAU grid differs from its baseline only in LAU keys."""

from pathlib import Path

import pytest
import torch
import yaml
from espnet2.tasks.mt import MTTask

from espnet_lau.tasks.asr import ASRPretrainTask
from espnet_lau.tasks.lau_st import LAU_CONFIG_KEYS, LAUSTTask

TUNING = Path(__file__).resolve().parents[1] / "conf/tuning"
ST_CONFIGS = sorted(TUNING.glob("train_st_*.yaml"))
ASR_CONFIGS = sorted(TUNING.glob("train_asr_*.yaml"))
MT_CONFIGS = sorted(TUNING.glob("train_mt_*.yaml"))
# Which ASR config initialises the encoder of which ST configs (--init_param).
FAMILIES = {
    "train_asr_debug.yaml": ["train_st_debug.yaml", "train_st_lau_debug.yaml"],
    "train_asr_transformer_mini.yaml": ["train_st_baseline.yaml"]
    + [p.name for p in TUNING.glob("train_st_lau_*_lambda*.yaml")],
    "train_asr_conformer_jeli.yaml": [p.name for p in TUNING.glob("train_st_conformer_jeli_*.yaml")],
}
BASELINES = {
    "train_st_lau_debug.yaml": "train_st_debug.yaml",
    **{p.name: "train_st_baseline.yaml" for p in TUNING.glob("train_st_lau_*_lambda*.yaml")},
    **{p.name: "train_st_conformer_jeli_baseline.yaml"
       for p in TUNING.glob("train_st_conformer_jeli_lau_*.yaml")},
}
TOKENS = ["<blank>", "<unk>", "a", "b", "<sos/eos>"]


def load(name):
    return yaml.safe_load((TUNING / name).read_text())


def test_the_papers_grid_is_there():
    for prefix in ("train_st_lau", "train_st_conformer_jeli_lau"):
        for loss in ("mse", "cosine"):
            for lam in ("0.2", "1.0", "5.0"):
                config = load(f"{prefix}_{loss}_lambda{lam}.yaml")
                assert config["semantic_loss"] == loss and config["semantic_weight"] == float(lam)


@pytest.mark.parametrize("lau,baseline", sorted(BASELINES.items()))
def test_lau_config_is_its_baseline_but_for_lau_keys(lau, baseline):
    a, b = load(lau), load(baseline)
    differing = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    allowed = set(LAU_CONFIG_KEYS)
    if "jeli" in lau:  # the paper stops early on the semantic validation loss
        allowed.add("early_stopping_criterion")
        assert a["early_stopping_criterion"] == ["valid", "loss_sem", "min"]
    assert differing <= allowed and a["semantic_weight"] > 0 == b["semantic_weight"]


@pytest.mark.parametrize("asr,st_configs", sorted(FAMILIES.items()))
def test_asr_encoder_matches_st_encoder(asr, st_configs):
    asr_config = load(asr)
    assert st_configs
    for st in st_configs:
        st_config = load(st)
        for key in ("encoder", "encoder_conf", "frontend_conf"):
            assert st_config[key] == asr_config[key], (st, key)


@pytest.mark.parametrize("config", [p.name for p in ST_CONFIGS if "lambda" not in p.name])
def test_st_config_builds(config):
    args = LAUSTTask.get_parser().parse_args(
        ["--config", str(TUNING / config), "--token_type", "char", "--token_list", "x",
         "--semantic_head_conf", "output_size=16"])
    args.token_list = list(TOKENS)
    torch.manual_seed(0)
    model = LAUSTTask.build_model(args)
    assert (model.semantic_head is not None) == (args.semantic_weight > 0)


@pytest.mark.parametrize("config", [p.name for p in ASR_CONFIGS])
def test_asr_config_builds(config):
    args = ASRPretrainTask.get_parser().parse_args(
        ["--config", str(TUNING / config), "--token_type", "char", "--token_list", "x"])
    args.token_list = list(TOKENS)
    ASRPretrainTask.build_model(args)


@pytest.mark.parametrize("config", [p.name for p in MT_CONFIGS])
def test_mt_config_builds_and_translates_a_batch(config):
    """The cascade's MT configs: espnet2's MTTask builds them, and a forward pass runs."""
    args = MTTask.get_parser().parse_args(
        ["--config", str(TUNING / config), "--token_type", "char", "--token_list", "x",
         "--src_token_type", "char", "--src_token_list", "y"])
    args.token_list, args.src_token_list = list(TOKENS), list(TOKENS)
    torch.manual_seed(0)
    model = MTTask.build_model(args)
    src = torch.tensor([[2, 3, 2], [3, 2, 0]])
    loss, stats, _ = model(text=torch.tensor([[2, 3], [3, 0]]), text_lengths=torch.tensor([2, 1]),
                           src_text=src, src_text_lengths=torch.tensor([3, 2]))
    assert torch.isfinite(loss) and 0.0 <= stats["acc"] <= 1.0
