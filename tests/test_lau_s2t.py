"""LAUS2TModel / LAUS2TTask / export --task s2t on a tiny OWSM-layout model built here."""

import argparse
import copy

import numpy as np
import pytest
import torch
import yaml
from espnet2.bin.s2t_inference import Speech2Text
from espnet2.s2t.espnet_model import ESPnetS2TModel
from espnet2.tasks.s2t import S2TTask
from tiny_s2t import MODEL_NAME, TRAIN_DIR, save_tiny_owsm

from espnet_lau.bin import export_stock
from espnet_lau.s2t_model import LAUS2TModel
from espnet_lau.tasks.lau_s2t import LAUS2TTask

TEXTS = ["il va pleuvoir à koulikoro", "je souffre du paludisme", "sanji bɛna na Kulikɔrɔ",
         "n ye sumaya sɔrɔ", "bakary fait le commerce de l'huile au marché"]
EMB_DIM = 8


@pytest.fixture(scope="module")
def owsm(tmp_path_factory):
    root = save_tiny_owsm(tmp_path_factory.mktemp("owsm"), TEXTS)
    with open(root / TRAIN_DIR / "config.yaml", encoding="utf-8") as f:
        return root, yaml.safe_load(f)


def lau_args(config, **lau):
    args = argparse.Namespace(**copy.deepcopy(config))
    defaults = dict(semantic_weight=1.0, semantic_target_ratio=None, semantic_head="mlp",
                    semantic_head_conf={"output_size": EMB_DIM, "pooling": "mean"}, semantic_loss="mse",
                    semantic_loss_conf={}, semantic_lambda_warmup_steps=0, semantic_target_norm="none",
                    conv_channels_last=False, collect_stats=False,
                    train_data_path_and_name_and_type=[], valid_data_path_and_name_and_type=[])
    for key, value in {**defaults, **lau}.items():
        setattr(args, key, value)
    return args


def batch(config, size=2, seed=0):
    """A batch as S2TTask's collate function makes it: prompts, <na> previous text, CTC text."""
    tokens = config["token_list"]
    g = torch.Generator().manual_seed(seed)
    ids = lambda *syms: [tokens.index(s) for s in syms]  # noqa: E731
    prompt = ids("<fra>", "<st_fra>", "<notimestamps>")
    pieces = [i for i, t in enumerate(tokens) if not t.startswith("<")]
    text = torch.tensor([prompt + pieces[:4], prompt + pieces[4:8]])[:size]
    return dict(
        speech=torch.randn(size, 16000 * 4, generator=g), speech_lengths=torch.full((size,), 16000 * 4),
        text=text, text_lengths=torch.full((size,), text.size(1)),
        text_prev=torch.tensor([ids("<na>")] * size), text_prev_lengths=torch.ones(size, dtype=torch.long),
        text_ctc=torch.tensor([pieces[:3]] * size), text_ctc_lengths=torch.full((size,), 3),
        sem_emb=torch.randn(size, EMB_DIM, generator=g), utt_id=[f"u{i}" for i in range(size)],
    )


def run(model, inputs, seed=1):
    torch.manual_seed(seed)
    return model(**{k: (v.clone() if torch.is_tensor(v) else v) for k, v in inputs.items()})


def test_state_dict_is_the_stock_s2t_model_plus_the_head(owsm):
    _, config = owsm
    torch.manual_seed(0)
    lau = LAUS2TTask.build_model(lau_args(config))
    stock = S2TTask.build_model(argparse.Namespace(**copy.deepcopy(config)))
    assert isinstance(lau, LAUS2TModel) and isinstance(lau, ESPnetS2TModel)
    assert set(stock.state_dict()) == {k for k in lau.state_dict() if not k.startswith("semantic_head.")}
    assert any(k.startswith("semantic_head.") for k in lau.state_dict())
    baseline = LAUS2TTask.build_model(lau_args(config, semantic_weight=0.0))
    assert baseline.semantic_head is None and set(baseline.state_dict()) == set(stock.state_dict())


def test_semantic_loss_adds_to_the_s2t_loss_and_reaches_the_encoder_only(owsm):
    _, config = owsm
    torch.manual_seed(0)
    model = LAUS2TTask.build_model(lau_args(config, semantic_weight=2.0))
    inputs = batch(config)
    no_emb = {k: v for k, v in inputs.items() if k != "sem_emb"}
    stock_loss, stock_stats, _ = run(model, no_emb)
    loss, stats, _ = run(model, inputs)
    assert "loss_sem" not in stock_stats and float(stats["loss_sem"]) > 0
    assert torch.allclose(loss, stock_loss + 2.0 * stats["loss_sem"], atol=1e-5)

    model.zero_grad()
    _, _, _, loss_sem, _ = model.translation_and_semantic_losses(**inputs)
    loss_sem.backward()
    grads = {name: p.grad for name, p in model.named_parameters()}
    assert any(g is not None and g.abs().sum() > 0 for n, g in grads.items() if n.startswith("encoder."))
    assert all(g is None or g.abs().sum() == 0 for n, g in grads.items() if n.startswith("decoder."))


def test_export_gives_a_stock_s2t_model_that_stock_speech2text_decodes(owsm, tmp_path):
    root, config = owsm
    torch.manual_seed(0)
    args = lau_args(config)
    model = LAUS2TTask.build_model(args)
    model.load_state_dict(torch.load(root / TRAIN_DIR / MODEL_NAME), strict=False)
    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "config.yaml").write_text(yaml.safe_dump(vars(args), allow_unicode=True), encoding="utf-8")
    torch.save(model.state_dict(), exp / "valid.acc.ave.pth")

    # an S2T checkpoint is not an ST one: --task st refuses it in one line
    with pytest.raises(SystemExit):
        export_stock.main(["--config", str(exp / "config.yaml"), "--model_file", str(exp / "valid.acc.ave.pth"),
                           "--outdir", str(tmp_path / "st")])
    export_stock.main(["--task", "s2t", "--config", str(exp / "config.yaml"),
                       "--model_file", str(exp / "valid.acc.ave.pth"), "--outdir", str(tmp_path / "out")])
    exported = yaml.safe_load((tmp_path / "out/config.yaml").read_text(encoding="utf-8"))
    assert not any(key.startswith("semantic_") for key in exported)
    state = torch.load(tmp_path / "out/model.pth")
    assert not any(key.startswith("semantic_head.") for key in state)

    speech2text = Speech2Text(s2t_train_config=str(tmp_path / "out/config.yaml"),
                              s2t_model_file=str(tmp_path / "out/model.pth"), device="cpu", beam_size=1,
                              maxlenratio=0.0, ctc_weight=0.0, lang_sym="<fra>", task_sym="<st_fra>")
    assert type(speech2text.s2t_model) is ESPnetS2TModel
    results = speech2text(np.random.default_rng(0).standard_normal(16000).astype("float32"))
    text, tokens = results[0][0], results[0][1]
    assert tokens[:3] == ["<fra>", "<st_fra>", "<notimestamps>"] and isinstance(text, str)


def test_lau_s2t_train_prints_the_lau_options_and_refuses_two_lambdas(tmp_path, capfd, monkeypatch):
    import io
    import sys

    from espnet_lau.bin import lau_s2t_train

    # ESPnet's --print_config: the defaults of the classes chosen on sys.argv
    monkeypatch.setattr(sys, "argv", ["lau_s2t_train", "--print_config", "--semantic_loss", "infonce"])
    out = io.StringIO()
    LAUS2TTask.print_config(file=out)
    printed = yaml.safe_load(out.getvalue())
    assert printed["semantic_loss"] == "infonce" and "temperature" in printed["semantic_loss_conf"]
    assert printed["semantic_head_conf"]["pooling"] == "mean" and printed["preprocessor"] == "s2t"
    with pytest.raises(SystemExit) as exc:
        lau_s2t_train.main(["--semantic_weight", "1.0", "--semantic_target_ratio", "1.0", "--token_list", "x",
                            "--output_dir", str(tmp_path / "exp")])
    err = capfd.readouterr().err.strip().splitlines()
    assert exc.value.code == 1 and err[-1].startswith("lau_s2t_train: error: semantic_weight (1) and semantic_target_ratio")
    assert not (tmp_path / "exp").exists()
