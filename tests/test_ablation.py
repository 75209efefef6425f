"""local/run_ablation.sh on the tiny corpus: a reduced grid over both target-variance
levels (1x and 2x ASR baselines, LAU MSE on standardised targets at r = 1, the cascade),
then a second run that only re-reads it."""

import json

import pytest
import yaml

from recipe_helpers import make_recipe_copy, run_recipe

GRID = [
    "--mini_size", "tiny", "--mini_asr_extra_utts", "30", "--src_nbpe", "40", "--tgt_nbpe", "60",
    "--asr_config", "conf/tuning/train_asr_debug.yaml",
    "--system_configs", "baseline_1xasr=conf/tuning/train_st_debug.yaml baseline_2xasr=conf/tuning/train_st_debug.yaml "
    "lau_mse_std_r1=conf/tuning/train_st_debug_lau_std_r1.0.yaml",
    "--epochs", "2", "--converge_systems", "lau_mse_std_r1", "--converge_epochs", "1 2",
    "--inference_config", "conf/tuning/decode_st_debug.yaml",
    "--mt_config", "conf/tuning/train_mt_debug.yaml",
    "--systems", "baseline_1xasr baseline_2xasr lau_mse_std_r1", "--seeds", "0", "--extra_seeds", "",
    "--jobs", "2",
]
TAG = "decode_st_debug_st_model_valid.acc.ave"


@pytest.fixture(scope="module")
def ablation(tmp_path_factory):
    recipe = make_recipe_copy(tmp_path_factory.mktemp("ablation"))
    first = run_recipe(recipe, *GRID, script="local/run_ablation.sh")
    second = run_recipe(recipe, *GRID, script="local/run_ablation.sh")
    return recipe, first.stdout + first.stderr, second.stdout + second.stderr


@pytest.mark.slow
def test_both_levels_share_utterances_and_differ_in_targets(ablation):
    recipe, log, _ = ablation
    low, high = (recipe / "exp/ablation" / level for level in ("low", "high"))
    for name in ("wav.scp", "text.tc.bam"):
        assert [l.split()[0] for l in (low / "data/train" / name).read_text().splitlines()] == \
            [l.split()[0] for l in (high / "data/train" / name).read_text().splitlines()]
    assert (low / "data/train/text.tc.fr").read_text() != (high / "data/train/text.tc.fr").read_text()
    assert (low / "data/test/text.tc.fr").read_text() == (high / "data/test/text.tc.fr").read_text()
    noise = set((high / "data/train/utt2noise").read_text().split())
    assert {"none", "wrong_slot"} & noise and "none" in set((low / "data/train/utt2noise").read_text().split())


@pytest.mark.slow
def test_the_grid_trains_every_cell_with_the_right_encoder_and_lambda(ablation):
    recipe, log, _ = ablation
    assert "Step 3: 6 of 6 ST runs to do, 2 at a time (1 threads each)" in log
    for level in ("low", "high"):
        for system in ("baseline_1xasr", "baseline_2xasr", "lau_mse_std_r1"):
            exp = recipe / f"exp/ablation/{level}/exp/{system}/seed0"
            config = yaml.safe_load((exp / "config.yaml").read_text())
            assert config["seed"] == 0
            assert (exp / TAG / "test/semantic_eval/semantic_eval.json").is_file()
        asr = "exp/asr_2x"
        init = yaml.safe_load((recipe / f"exp/ablation/{level}/exp/baseline_2xasr/seed0/config.yaml").read_text())
        prefix = "" if level == "low" else "../low/"
        assert init["init_param"] == [f"{prefix}{asr}/valid.acc.ave.pth:encoder:encoder"]
        lau = recipe / f"exp/ablation/{level}/exp/lau_mse_std_r1/seed0"
        balance = json.loads((lau / "semantic_balance.json").read_text())
        config = yaml.safe_load((lau / "config.yaml").read_text())
        assert config["semantic_target_norm"] == "standardize"
        assert config["semantic_weight"] == pytest.approx(balance["lambda_for_target_ratio"], rel=1e-3)
        assert (lau / "semantic_balance_final.json").is_file()  # step 5: r of the trained model
        # Trained to convergence in stages: evaluated after epoch 1, then resumed to epoch 2.
        assert config["max_epoch"] == 2
        for epoch in ("ep1", "ep2"):
            assert (lau / "by_epoch" / epoch / "score_bleu/scores.json").is_file()
        assert not (recipe / f"exp/ablation/{level}/exp/baseline_1xasr/seed0/by_epoch/ep1").exists()
        record = json.loads((lau / "run_record.json").read_text())
        assert record  # the run's curves, machine and collapse measures (save_run_record)


@pytest.mark.slow
def test_cascade_per_level_and_the_results(ablation):
    recipe, _, _ = ablation
    for level in ("low", "high"):
        cascade = recipe / f"exp/ablation/{level}/exp/cascade"
        assert (cascade / "asr_decode/test/score_wer/scores.json").is_file()  # ASR WER/CER
        assert (cascade / "asr_decode/test/logdir/asr_inference.1.log").is_file()  # st.sh's log names
        mt_log = next((recipe / f"exp/ablation/{level}/exp").glob("mt_*/train.log")).read_text()
        assert mt_log.startswith("# ") and "# Accounting:" in mt_log  # trained through ${train_cmd}
        assert (cascade / TAG / "test/score_bleu/scores.json").is_file()
    text = (recipe / "exp/ablation/RESULTS.md").read_text()
    for section in ("### Target variance: low", "### Target variance: high",
                    "## Seed-paired differences to baseline_1xasr", "## Seed spread, λ, r and drift"):
        assert section in text
    assert "|low|lau_mse_std_r1|1|" in text and "|cascade|1|" in text
    assert (recipe / "exp/ablation/plots/bleu_gap_vs_variance.png").is_file()


@pytest.mark.slow
def test_a_second_run_reuses_everything(ablation):
    _, _, log = ablation
    assert "Step 1: low: data, tokens, embeddings and ST statistics exist: reused" in log
    assert "Step 3: 0 of 6 ST runs to do" in log
    assert "Step 4: high: the cascade is evaluated: reused" in log
    assert "ASR pretraining on" not in log


def test_unknown_system_or_level_is_refused(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--systems", "lau_huber", check=False, script="local/run_ablation.sh")
    assert proc.returncode != 0 and "unknown system 'lau_huber'" in proc.stderr
    proc = run_recipe(recipe, "--levels", "medium", check=False, script="local/run_ablation.sh")
    assert proc.returncode != 0 and "unknown level 'medium': the levels are high label01 label02 label04 low paraphrase surface" in proc.stderr


def test_outdir_outside_exp_and_missing_keys_are_named(tmp_path):
    import subprocess

    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--outdir", "results", check=False, script="local/run_ablation.sh")
    assert proc.returncode != 0 and "--outdir must be under exp/, got 'results'" in proc.stderr
    proc = subprocess.run(["local/decode_split.sh", "--nj", "2", "--keys", "nope.scp", "--logdir", "x",
                           "--out", "y", "--", "true"], cwd=recipe, capture_output=True, text=True)
    assert proc.returncode != 0 and "key file 'nope.scp' is missing or empty" in proc.stderr
