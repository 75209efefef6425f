"""What an ESPnet user expects from st.sh, in the recipe: replay scripts, st_inference logs
and merged token files in the decode dir, per-experiment stage times, --skip_* options,
st.sh options this recipe does not take refused with the reason, the ratio in the name."""

import os
import stat

import pytest
from recipe_helpers import DEBUG, INFERENCE_TAG, ST_EXP, make_recipe_copy, run_recipe


@pytest.mark.slow
def test_replay_scripts_logs_and_merged_outputs_as_st_sh(recipe):
    exp = recipe / ST_EXP
    for script, stage in [(exp / "run.sh", 11), (exp / INFERENCE_TAG / "run.sh", 12)]:
        text = script.read_text()
        assert script.stat().st_mode & stat.S_IXUSR and f"--stage {stage} \"$@\"" in text
        assert "lau_st.sh" in text and "--st_config" in text
    decode = exp / INFERENCE_TAG / "test"
    ids = [line.split()[0] for line in (decode / "text").read_text().splitlines()]
    for name in ("token", "token_int", "score"):
        assert [line.split()[0] for line in (decode / name).read_text().splitlines()] == ids, name
    assert (decode / "logdir/st_inference.1.log").is_file()
    times = (exp / "stage_times.tsv").read_text().splitlines()
    assert times[0] == "stage\tseconds\tfinished"
    assert {row.split("\t")[0] for row in times[1:]} >= {"1", "11", "12", "13", "14"}


def test_st_sh_options_this_recipe_does_not_take_say_why(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--use_lm", "true", check=False)
    assert proc.returncode == 1
    assert "--use_lm is not supported here: this recipe trains no language model" in proc.stderr
    proc = run_recipe(recipe, "--semantic_target_ratio", "../up", check=False)
    assert proc.returncode == 1 and "--semantic_target_ratio must be a positive number, got '../up'" in proc.stderr
    assert not (recipe / "exp").exists()


def test_skip_options_and_the_ratio_in_the_experiment_name(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, *DEBUG, "--stage", "12", "--stop_stage", "14", "--skip_eval", "true",
                      "--skip_packing", "true", "--semantic_target_ratio", "0.5", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Stage 12: skipped (--skip_eval true)" in out and "Stage 14: skipped (--skip_packing true)" in out
    assert "st_exp=exp/st_train_st_lau_debug_raw_bam_fr_bpe_lc.rm60_ratio0.5 " in out
    assert not any(os.scandir(recipe / "exp/st_train_st_lau_debug_raw_bam_fr_bpe_lc.rm60_ratio0.5"))


@pytest.mark.slow
def test_stage_4_drops_and_names_clips_over_the_limit_through_run_sh(recipe, tmp_path):
    """The audit's crash: `./run.sh --stage 4 --max_wav_duration 0.5` ended in an
    AttributeError on the first clip it dropped (the CLI passed str, the tests Path)."""
    import shutil

    copy = make_recipe_copy(tmp_path)
    shutil.copytree(recipe / "data", copy / "data", symlinks=True)
    shutil.copytree(recipe / "dump/raw/org", copy / "dump/raw/org", symlinks=True)
    for made_in in (copy / "data/.made_in", copy / "dump/.made_in"):
        made_in.unlink(missing_ok=True)
    proc = run_recipe(copy, *DEBUG, "--stage", "4", "--stop_stage", "4", "--max_wav_duration", "2.8")
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert "train: " in out and "longer than 2.8 s are dropped:" in out and "raise --max_wav_duration" in out
    assert "test: " in out and "longer than --max_wav_duration 2.8 s are kept" in out
    kept = len((copy / "dump/raw/train/wav.scp").read_text().splitlines())
    assert 0 < kept < len((copy / "dump/raw/org/train/wav.scp").read_text().splitlines())
    assert len((copy / "dump/raw/test/wav.scp").read_text().splitlines()) == \
        len((copy / "dump/raw/org/test/wav.scp").read_text().splitlines())
