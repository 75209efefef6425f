"""``--pretrained_encoder``: an ST config on any pretrained ESPnet model's encoder
(espnet_lau/pretrained/, bin/prepare_pretrained_encoder.py), and the recipe that trains,
exports and decodes from it. The pretrained model is a tiny OWSM-shaped S2T model made in
the test (tests/pretrained_models.py)."""

from __future__ import annotations

import logging
import shutil

import pytest
import yaml
from pretrained_models import EXP, N_MELS, STATS, save_tiny_owsm, zip_model
from recipe_helpers import ASR_EXP, DEBUG, INFERENCE_TAG, ST_EXP, lau_training_options, run_recipe
from tiny_st import BASELINE_CONFIG, LAU_CONFIG, tiny_args

from espnet_lau.bin import lau_st_train, prepare_pretrained_encoder
from espnet_lau.tasks.init_check import check_init_params_against
from espnet_lau.tasks.lau_st import LAUSTTask


@pytest.fixture(scope="module")
def owsm(tmp_path_factory):
    """(folder, encoder tensor count) of the tiny OWSM-shaped model in the zoo layout."""
    root = tmp_path_factory.mktemp("owsm") / "owsm_v4_tiny"
    return root, save_tiny_owsm(root)


def prepare(tmp_path, model, st_config=LAU_CONFIG, *extra: str) -> dict:
    out = tmp_path / "train_st.yaml"
    prepare_pretrained_encoder.main(["--model", str(model), "--st_config", str(st_config), "--out_config", str(out),
                                     "--stats_out", str(tmp_path / "stats/feats_stats.npz"), *extra])
    return yaml.safe_load(out.read_text())


def one_line(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        prepare_pretrained_encoder.main(list(args))
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 1 and len(err) == 1 and err[0].startswith("prepare_pretrained_encoder: error: ")
    return err[0]


def test_the_config_takes_the_front_end_statistics_and_encoder_and_keeps_lau(owsm, tmp_path):
    root, _ = owsm
    config = prepare(tmp_path, root)
    lau = yaml.safe_load(LAU_CONFIG.read_text())
    assert config["encoder"] == "e_branchformer" and config["encoder_conf"]["input_layer"] == "conv2d8"
    assert config["frontend_conf"]["n_mels"] == N_MELS and config["normalize"] == "global_mvn"
    stats = tmp_path / "stats/feats_stats.npz"
    assert config["normalize_conf"] == {"stats_file": str(stats.resolve())}
    assert stats.read_bytes() == (root / STATS).read_bytes()  # the model's own, copied
    assert config["init_param"] == [f"{(root / EXP / 'valid.acc.ave.pth').resolve()}:encoder:encoder"]
    for key in ("semantic_weight", "decoder", "decoder_conf", "optim_conf", "model_conf"):
        assert config[key] == lau[key]  # the LAU parts of --st_config, kept


def test_the_st_model_built_from_it_loads_every_encoder_tensor(owsm, tmp_path, caplog):
    root, total = owsm
    prepare(tmp_path, root, BASELINE_CONFIG)
    args = tiny_args(tmp_path / "train_st.yaml")
    model = LAUSTTask.build_model(args)
    caplog.set_level(logging.INFO)
    match, = check_init_params_against(model, args.init_param, False)
    assert len(match.loaded) == match.total == total
    assert f"loaded {total} of {total} encoder tensors from {root.resolve() / EXP}/valid.acc.ave.pth" in caplog.text


def test_a_packed_zip_and_a_pth_give_the_same_config(owsm, tmp_path):
    root, _ = owsm
    from_folder = prepare(tmp_path / "folder", root)
    unpacked = tmp_path / "unpacked"
    from_zip = prepare(tmp_path / "zip", zip_model(root, tmp_path / "owsm.zip"), LAU_CONFIG,
                       "--unpack_dir", str(unpacked))
    assert from_zip["init_param"] == [f"{(unpacked / EXP / 'valid.acc.ave.pth').resolve()}:encoder:encoder"]
    assert (tmp_path / "zip/stats/feats_stats.npz").read_bytes() == (root / STATS).read_bytes()
    from_pth = prepare(tmp_path / "pth", root / EXP / "valid.acc.ave.pth")  # stats found above its folder
    for config in (from_zip, from_pth):
        assert {k: v for k, v in config.items() if k not in ("init_param", "normalize_conf")} == \
            {k: v for k, v in from_folder.items() if k not in ("init_param", "normalize_conf")}


def test_what_is_missing_is_refused_in_one_line(owsm, tmp_path, capsys):
    root, _ = owsm
    broken = tmp_path / "broken"
    shutil.copytree(root, broken)
    (broken / STATS).unlink()
    common = ["--st_config", str(LAU_CONFIG), "--out_config", str(tmp_path / "out.yaml")]
    line = one_line(capsys, "--model", str(broken), *common)
    assert f"normalize_conf.stats_file names {STATS}" in line and "unpack all of it" in line
    assert not (tmp_path / "out.yaml").exists()
    line = one_line(capsys, "--model", str(zip_model(root, tmp_path / "m.zip")), *common)
    assert "give a folder to unpack it into (--unpack_dir)" in line
    (tmp_path / "empty").mkdir()
    assert "no meta.yaml, no config.yaml and 0 exp/*/config.yaml" in one_line(capsys, "--model", str(tmp_path / "empty"), *common)
    (broken / EXP / "valid.acc.best.pth").write_bytes(b"")
    (broken / "meta.yaml").unlink()
    shutil.copy(broken / EXP / "valid.acc.ave.pth", broken / EXP / "1epoch.pth")
    (broken / EXP / "valid.acc.ave.pth").unlink()
    (broken / EXP / "valid.acc.best.pth").unlink()
    (broken / EXP / "2epoch.pth").write_bytes(b"")
    assert "holds 2 model files (1epoch.pth, 2epoch.pth)" in one_line(capsys, "--model", str(broken / EXP), *common)


def without_init_param(options: list) -> list:
    assert options[-2] == "--init_param"
    return options[:-2]


def test_a_checkpoint_whose_keys_do_not_match_is_refused_before_training(recipe, tmp_path, capsys):
    root = tmp_path / "renamed"
    total = save_tiny_owsm(root, rename=lambda k: k.replace("encoder.", "speech_encoder.", 1))
    prepare(tmp_path, root)
    with pytest.raises(SystemExit) as exit_info:
        lau_st_train.main([*without_init_param(lau_training_options(recipe, tmp_path / "train_st.yaml")),
                           "--output_dir", str(tmp_path / "exp")])
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("lau_st_train: error:")]
    assert exit_info.value.code == 1 and len(lines) == 1
    assert f"0 of {total} encoder tensors load" in lines[0] and "speech_encoder" in lines[0]
    assert not (tmp_path / "exp/checkpoint.pth").exists()


def test_the_recipes_own_asr_model_loads_as_many_tensors_as_pretrained_asr(recipe, tmp_path, caplog):
    """Item 7 of issue 24, the loaded tensors: --pretrained_encoder on stage 6's ASR model
    initialises the same encoder tensors as --pretrained_asr (the session run's stage 11)."""
    pth = (recipe / ASR_EXP / "valid.acc.ave.pth").resolve()
    logged = [line for line in (recipe / ST_EXP / "train.log").read_text().splitlines() if " tensors from " in line]
    assert logged and all(line.endswith(f"encoder tensors from {ASR_EXP}/valid.acc.ave.pth") for line in logged)
    from_asr = logged[0].split("loaded ", 1)[1].split(" encoder")[0]  # "N of N"
    config = prepare(tmp_path, recipe / ASR_EXP)
    assert config["init_param"] == [f"{pth}:encoder:encoder"]
    caplog.set_level(logging.INFO)
    lau_st_train.main([*without_init_param(lau_training_options(recipe, tmp_path / "train_st.yaml")),
                       "--max_epoch", "1", "--num_iters_per_epoch", "1", "--output_dir", str(tmp_path / "exp")])
    assert f"loaded {from_asr} encoder tensors from {pth}" in caplog.text


@pytest.mark.slow
def test_the_recipe_trains_decodes_and_scores_from_a_pretrained_owsm_encoder(recipe, owsm, tmp_path):
    """Stages 6 and 10-13 with --pretrained_encoder on a copy of the session run's data
    (stages 1-5 and 7): the export decodes with stock espnet2.bin.st_inference (stage 12)
    and is scored (stage 13)."""
    root, total = owsm
    copy = tmp_path / "st1"
    shutil.copytree(recipe, copy, symlinks=True, ignore=shutil.ignore_patterns("exp"))
    for made_in in copy.glob("*/.made_in"):
        made_in.unlink()  # a copied recipe folder, reused knowingly
    pretrained = ["--pretrained_encoder", str(root), "--st_max_epoch", "1", "--st_args", "--num_iters_per_epoch 3"]
    out = run_recipe(copy, *DEBUG, *pretrained, "--stage", "6", "--stop_stage", "6").stdout
    assert f"Stage 6: skipped (--pretrained_encoder {root}" in out and not (copy / ASR_EXP).exists()
    proc = run_recipe(copy, *DEBUG, *pretrained, "--stage", "10", "--stop_stage", "13", "--inference_nj", "1")
    out = proc.stdout + proc.stderr
    st_exp = copy / "exp/st_train_st_lau_debug_pre_owsm_v4_tiny_raw_bam_fr_bpe_lc.rm60_num_iters_per_epoch3"
    stats = copy / "exp/st_stats_raw_bam_fr_bpe60_pre_owsm_v4_tiny/train"
    assert (stats / "feats_stats.npz").read_bytes() == (root / STATS).read_bytes()  # not recomputed
    assert (stats / "speech_shape").is_file() and (stats / "text_shape").is_file()
    pth = (root / EXP / "valid.acc.ave.pth").resolve()
    assert f"loaded {total} of {total} encoder tensors from {pth}" in out  # stage 11's log
    assert yaml.safe_load((st_exp / "drift/drift.json").read_text())["init"] == str(pth)
    export = st_exp / "export/valid.acc.ave"
    exported = yaml.safe_load((export / "config.yaml").read_text())
    assert exported["encoder"] == "e_branchformer" and exported["frontend_conf"]["n_mels"] == N_MELS
    decoded = st_exp / INFERENCE_TAG / "test"
    assert "espnet2.bin.st_inference" in (decoded / "logdir/st_inference.1.log").read_text()  # stock decoding
    assert len((decoded / "text").read_text().splitlines()) == len((copy / "dump/raw/test/wav.scp").read_text().splitlines())
    assert 0 <= yaml.safe_load((decoded / "score_bleu/scores.json").read_text())["bleu"] <= 100
