"""conf/tuning: every config builds, and the LAU grid differs from its baseline only in LAU keys."""

from pathlib import Path

import pytest
import torch
import yaml
from espnet2.tasks.mt import MTTask

from espnet_lau.tasks.asr import ASRPretrainTask
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS
from espnet_lau.tasks.semantic_weight import check_lau_options, uses_source_text

TUNING = Path(__file__).resolve().parents[1] / "conf/tuning"
ST_CONFIGS = sorted(TUNING.glob("train_st_*.yaml"))
ASR_CONFIGS = sorted(TUNING.glob("train_asr_*.yaml"))
MT_CONFIGS = sorted(TUNING.glob("train_mt_*.yaml"))
# Which ASR config initialises the encoder of which ST configs (--init_param).
FAMILIES = {
    "train_asr_debug.yaml": ["train_st_debug.yaml", "train_st_lau_debug.yaml", "train_st_debug_lau_std_r1.0.yaml"],
    "train_asr_transformer_mini.yaml": [p.name for p in TUNING.glob("train_st_baseline*.yaml")]
    + [p.name for p in TUNING.glob("train_st_lau_*_lambda*.yaml")]
    + [p.name for p in TUNING.glob("train_st_lau_*_r*.yaml")],
    "train_asr_conformer_jeli.yaml": [p.name for p in TUNING.glob("train_st_conformer_jeli_*.yaml")],
}
BASELINES = {
    "train_st_lau_debug.yaml": "train_st_debug.yaml",
    "train_st_debug_lau_std_r1.0.yaml": "train_st_debug.yaml",
    **{p.name: "train_st_baseline.yaml" for p in TUNING.glob("train_st_lau_*_lambda*.yaml")},
    **{p.name: "train_st_baseline_ctc.yaml" if "_ctc_" in p.name else "train_st_baseline.yaml"
       for p in TUNING.glob("train_st_lau_*_r*.yaml")},
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
    assert differing <= allowed and b["semantic_weight"] == 0
    # A LAU system gives λ or the target balance r (λ measured at the start), not both.
    assert (a.get("semantic_weight", 0) > 0) != (a.get("semantic_target_ratio", 0) > 0)


def test_every_system_of_the_grid_is_a_config():
    """The systems of local/run_ablation.sh are configs; the default is MSE-std at r = 1."""
    for r in ("0.2", "1.0", "5.0", "20.0", "50.0"):
        for loss in ("mse", "cosine"):
            config = load(f"train_st_lau_{loss}_std_r{r}.yaml")
            assert config["semantic_target_ratio"] == float(r)
            assert config["semantic_target_norm"] == "standardize" and config["semantic_loss"] == loss
    ctc, lau_ctc = load("train_st_baseline_ctc.yaml"), load("train_st_lau_mse_std_ctc_r1.0.yaml")
    assert ctc["model_conf"]["asr_weight"] == 0.3 == lau_ctc["model_conf"]["asr_weight"]
    gentle, baseline = load("train_st_baseline_gentle.yaml"), load("train_st_baseline.yaml")
    assert gentle["optim_conf"]["lr"] * 4 == baseline["optim_conf"]["lr"]
    assert gentle["scheduler_conf"]["warmup_steps"] == 4 * baseline["scheduler_conf"]["warmup_steps"]
    run_sh = (TUNING.parents[1] / "egs2/bambara_fr/st1/run.sh").read_text()
    assert "st_config=conf/tuning/train_st_lau_mse_std_r1.0.yaml" in run_sh


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
    check_lau_options(args)
    if args.semantic_target_ratio:  # lau_st_train measures λ at the start; any λ > 0 builds
        args.semantic_weight = 1.0
    if uses_source_text(args):
        args.src_token_list = list(TOKENS)
    torch.manual_seed(0)
    model = LAUSTTask.build_model(args)
    assert (model.semantic_head is not None) == (args.semantic_weight > 0)
    assert (model.asr_weight > 0) == uses_source_text(args)


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
