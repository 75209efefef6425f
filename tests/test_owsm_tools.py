"""The OWSM tools on a tiny OWSM-layout checkpoint made here: extend_tokens (a new language
symbol, or a reused one), prepare_s2t_text, s2t_finetune_config; their refusals."""

import argparse
import hashlib
from pathlib import Path

import pytest
import sentencepiece as spm
import torch
import yaml
from espnet2.tasks.s2t import S2TTask
from tiny_s2t import LANGUAGES, MODEL_NAME, TRAIN_DIR, save_tiny_owsm

from espnet_lau.bin import extend_tokens, prepare_s2t_text, s2t_finetune_config

TEXTS = ["il va pleuvoir à koulikoro", "je souffre du paludisme", "sanji bɛna na Kulikɔrɔ", "n ye sumaya sɔrɔ"]
VOCAB_KEYS = ("decoder.embed.0.weight", "decoder.output_layer.weight", "decoder.output_layer.bias",
              "ctc.ctc_lo.weight", "ctc.ctc_lo.bias")


@pytest.fixture(scope="module")
def owsm(tmp_path_factory):
    return save_tiny_owsm(tmp_path_factory.mktemp("owsm"), TEXTS)


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fails(capsys, main, cmd, *needles):
    with pytest.raises(SystemExit) as exc:
        main(cmd)
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 1 and len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.mark.parametrize("init", ["<fra>", "mean"])
def test_a_new_language_symbol_gets_rows_from_its_init(owsm, tmp_path, init):
    before = digest(owsm)
    extend_tokens.main(["--pretrained_s2t", str(owsm), "--outdir", str(tmp_path / "out"),
                        "--symbol", "<bam>", "--init", init])
    assert digest(owsm) == before  # the input folder is never written
    old = torch.load(owsm / TRAIN_DIR / MODEL_NAME)
    new = torch.load(tmp_path / "out/model.pth")
    config = yaml.safe_load((tmp_path / "out/config.yaml").read_text(encoding="utf-8"))
    tokens = (tmp_path / "out/tokens.txt").read_text(encoding="utf-8").split()
    old_tokens = yaml.safe_load((owsm / TRAIN_DIR / "config.yaml").read_text(encoding="utf-8"))["token_list"]
    assert tokens == config["token_list"] == [*old_tokens, "<bam>"]
    rows = [old_tokens.index(s) for s in (LANGUAGES if init == "mean" else [init])]
    for key in VOCAB_KEYS:
        assert torch.equal(new[key][:-1], old[key])
        assert torch.allclose(new[key][-1], old[key][rows].mean(dim=0))
    assert all(torch.equal(new[k], v) for k, v in old.items() if k not in VOCAB_KEYS)
    # the symbol is one piece of the new sentencepiece model, as OWSM's own symbols are
    pieces = spm.SentencePieceProcessor(model_file=str(tmp_path / "out/bpe.model")).encode(
        "<bam><st_fra><notimestamps> je", out_type=str)
    assert pieces[1:4] == ["<bam>", "<st_fra>", "<notimestamps>"]
    S2TTask.build_model(argparse.Namespace(**config)).load_state_dict(new, strict=True)


def test_an_existing_language_symbol_can_be_reused(owsm, tmp_path):
    extend_tokens.main(["--pretrained_s2t", str(owsm), "--outdir", str(tmp_path / "out"),
                        "--symbol", "<ful>", "--reuse_symbol", "true", "--verify", "false"])
    record = yaml.safe_load((tmp_path / "out/token_extension.json").read_text())
    assert record["mode"] == "reuse" and record["vocab_size"] == record["vocab_size_before"]
    assert torch.load(tmp_path / "out/model.pth")["decoder.embed.0.weight"].shape[0] == record["vocab_size"]


def test_a_token_list_in_a_tokens_file_is_read(owsm, tmp_path):
    copy = tmp_path / "owsm"
    for path in owsm.rglob("*"):
        if path.is_file():
            (copy / path.relative_to(owsm)).parent.mkdir(parents=True, exist_ok=True)
            (copy / path.relative_to(owsm)).write_bytes(path.read_bytes())
    config = yaml.safe_load((copy / TRAIN_DIR / "config.yaml").read_text(encoding="utf-8"))
    (copy / "data/token_list/tokens.txt").write_text("\n".join(config["token_list"]) + "\n", encoding="utf-8")
    config["token_list"] = "data/token_list/tokens.txt"  # relative to the folder, as on the hub
    (copy / TRAIN_DIR / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    extend_tokens.main(["--pretrained_s2t", str(copy), "--outdir", str(tmp_path / "out"), "--verify", "false"])
    assert (tmp_path / "out/tokens.txt").read_text(encoding="utf-8").split()[-1] == "<bam>"


def test_extend_tokens_refuses_in_one_line(owsm, tmp_path, capsys):
    base = ["--pretrained_s2t", str(owsm), "--outdir", str(tmp_path / "out")]
    fails(capsys, extend_tokens.main, [*base, "--symbol", "<fra>"], "<fra> is already in the token list", "--reuse_symbol")
    fails(capsys, extend_tokens.main, [*base, "--init", "<st_fra>"], "--init <st_fra>")
    fails(capsys, extend_tokens.main, [*base, "--symbol", "bam"], "is not a symbol like <bam>")
    fails(capsys, extend_tokens.main, [*base, "--symbol", "<xyz>", "--reuse_symbol", "true"], "not a language symbol")
    fails(capsys, extend_tokens.main, ["--pretrained_s2t", str(owsm), "--outdir", str(owsm / "out")], "overlaps")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign/notes.txt").write_text("mine")
    fails(capsys, extend_tokens.main, ["--pretrained_s2t", str(owsm), "--outdir", str(tmp_path / "foreign")],
          "not made by extend_tokens")
    fails(capsys, extend_tokens.main, ["--pretrained_s2t", str(tmp_path / "nowhere"), "--outdir", str(tmp_path / "o")],
          "is not a folder")
    (owsm / TRAIN_DIR / "other.pth").write_bytes(b"")
    try:
        fails(capsys, extend_tokens.main, base, "2 weight files", "--model_file")
    finally:
        (owsm / TRAIN_DIR / "other.pth").unlink()
    assert not (tmp_path / "out").exists() and (tmp_path / "foreign/notes.txt").read_text() == "mine"


def test_prepare_s2t_text_writes_owsm_prompts(tmp_path, capsys):
    data = tmp_path / "train"
    data.mkdir()
    (data / "text.lc.rm.fr").write_text("u1 il pleut\nu2 je pars\n", encoding="utf-8")
    (data / "text.tc.bam").write_text("u1 sanji bɛ na\nu2 n bɛ taa\n", encoding="utf-8")
    prepare_s2t_text.main(["--data_dir", str(data), "--target_file", "text.lc.rm.fr", "--source_file", "text.tc.bam"])
    assert (data / "text").read_text(encoding="utf-8") == (
        "u1 <bam><st_fra><notimestamps> il pleut\nu2 <bam><st_fra><notimestamps> je pars\n")
    assert (data / "text.prev").read_text() == "u1 <na>\nu2 <na>\n"
    assert (data / "text.ctc").read_text(encoding="utf-8") == "u1 sanji bɛ na\nu2 n bɛ taa\n"
    prepare_s2t_text.main(["--data_dir", str(data), "--target_file", "text.lc.rm.fr", "--src_symbol", "<ful>"])
    assert (data / "text.ctc").read_text() == "u1 <na>\nu2 <na>\n" and "<ful><st_fra>" in (data / "text").read_text()
    fails(capsys, prepare_s2t_text.main, ["--data_dir", str(data), "--target_file", "text.lc.rm.fr",
                                          "--task_symbol", "st_fra"], "--task_symbol 'st_fra'")
    (data / "text.tc.bam").write_text("u1 sanji bɛ na\n", encoding="utf-8")
    fails(capsys, prepare_s2t_text.main, ["--data_dir", str(data), "--target_file", "text.lc.rm.fr",
                                          "--source_file", "text.tc.bam"], "other utterances", "u2")


def test_s2t_finetune_config_takes_the_model_from_the_checkpoint(owsm, tmp_path, capsys):
    pretrained = owsm / TRAIN_DIR / "config.yaml"
    finetune = tmp_path / "ft.yaml"
    finetune.write_text("optim: adamw\noptim_conf: {lr: 1.0e-05}\n"
                        "preprocessor_conf: {time_apply_prob: 0.0, text_prev_apply_prob: 0.0}\n")
    s2t_finetune_config.main(["--pretrained_config", str(pretrained), "--finetune_config", str(finetune),
                              "--out", str(tmp_path / "merged.yaml")])
    merged = yaml.safe_load((tmp_path / "merged.yaml").read_text(encoding="utf-8"))
    original = yaml.safe_load(pretrained.read_text(encoding="utf-8"))
    assert merged["encoder_conf"] == original["encoder_conf"] and merged["optim"] == "adamw"
    assert merged["preprocessor_conf"]["time_apply_prob"] == 0.0
    assert merged["preprocessor_conf"]["speech_length"] == original["preprocessor_conf"]["speech_length"]
    assert "optim_conf" in merged and "max_epoch" not in merged  # the trainer's defaults stay ESPnet's
    finetune.write_text("encoder: e_branchformer\n")
    fails(capsys, s2t_finetune_config.main, ["--pretrained_config", str(pretrained), "--finetune_config",
                                             str(finetune), "--out", str(tmp_path / "x.yaml")],
          "encoder: e_branchformer", "transformer")
    finetune.write_text("- a list\n")
    fails(capsys, s2t_finetune_config.main, ["--pretrained_config", str(pretrained), "--finetune_config",
                                             str(finetune), "--out", str(tmp_path / "x.yaml")], "not a YAML mapping")


@pytest.mark.parametrize("lau, baseline", [("train_s2t_owsm_lau_mse_std_r1.0.yaml", "train_s2t_owsm_baseline.yaml"),
                                           ("train_s2t_owsm_lau_debug.yaml", "train_s2t_owsm_debug.yaml")])
def test_the_owsm_fine_tuning_configs_differ_from_their_baseline_in_lau_keys_only(owsm, tmp_path, lau, baseline):
    from espnet_lau.owsm.finetune_config import MODEL_CLASSES
    from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS

    tuning = Path(__file__).resolve().parents[1] / "conf/tuning"
    lau_conf, base_conf = (yaml.safe_load((tuning / name).read_text(encoding="utf-8")) for name in (lau, baseline))
    assert {k: v for k, v in lau_conf.items() if k not in LAU_CONFIG_KEYS} == base_conf
    assert set(lau_conf) - set(base_conf) <= set(LAU_CONFIG_KEYS) and set(lau_conf) != set(base_conf)
    # OWSM's fine-tuning settings, and no model key (the model is the checkpoint's)
    assert base_conf["preprocessor_conf"]["text_prev_apply_prob"] == 0 == base_conf["preprocessor_conf"]["time_apply_prob"]
    assert not set(base_conf) & set(MODEL_CLASSES) and "encoder_conf" not in base_conf
    s2t_finetune_config.main(["--pretrained_config", str(owsm / TRAIN_DIR / "config.yaml"),
                              "--finetune_config", str(tuning / lau), "--out", str(tmp_path / "merged.yaml")])
    merged = yaml.safe_load((tmp_path / "merged.yaml").read_text(encoding="utf-8"))
    assert merged["preprocessor_conf"]["notime_symbol"] == "<notimestamps>"  # the checkpoint's keys stay
