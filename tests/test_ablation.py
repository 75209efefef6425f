"""local/run_ablation.sh on the tiny corpus: a reduced grid (1x and 2x ASR baselines,
LAU with two seeds, the cascade) run in a copy of the finished tiny recipe, so that it
reuses the shared stage outputs, then a second run that only re-reads them."""

import shutil
import subprocess

import pytest
import yaml

from recipe_helpers import make_recipe_copy, run_recipe

GRID = [
    "--mini_size", "tiny", "--extra_asr", "30", "--src_nbpe", "40", "--tgt_nbpe", "60",
    "--asr_config", "conf/tuning/train_asr_debug.yaml",
    "--baseline_config", "conf/tuning/train_st_debug.yaml",
    "--lau_config", "conf/tuning/train_st_lau_debug.yaml",
    "--decode_config", "conf/tuning/decode_st_debug.yaml",
    "--mt_config", "conf/tuning/train_mt_debug.yaml",
    "--losses", "mse", "--lambdas", "1.0", "--seeds", "0 1", "--seeded", "lau_mse_lambda1.0",
    "--jobs", "2", "--bootstrap_samples", "100",
]
SYSTEMS = ["baseline_1xasr", "baseline_2xasr", "lau_mse_lambda1.0", "cascade"]


@pytest.fixture(scope="module")
def ablation(recipe, tmp_path_factory):
    copy = tmp_path_factory.mktemp("ablation") / "st1"
    shutil.copytree(recipe, copy, symlinks=True)
    first = run_recipe(copy, *GRID, script="local/run_ablation.sh")
    second = run_recipe(copy, *GRID, script="local/run_ablation.sh")
    return copy, first.stdout + first.stderr, second.stdout + second.stderr


@pytest.mark.slow
def test_ablation_reuses_shared_outputs_and_trains_the_grid(ablation):
    recipe, log, _ = ablation
    assert "Step 2: exp/asr_debug/valid.acc.ave.pth exists: reused" in log
    assert "Step 2: ASR pretraining -> exp/asr_debug_2xasr" in log
    assert "Step 3: 4 of 4 ST runs to do, 2 at a time (1 threads each)" in log
    for system, seed in [("baseline_1xasr", 0), ("baseline_2xasr", 0),
                         ("lau_mse_lambda1.0", 0), ("lau_mse_lambda1.0", 1)]:
        exp = recipe / f"exp/ablation/{system}/seed{seed}"
        assert yaml.safe_load((exp / "config.yaml").read_text())["seed"] == seed
        assert (exp / "decode_st_debug_valid.acc.ave/test/semantic_eval/semantic_eval.json").is_file()
    init = yaml.safe_load((recipe / "exp/ablation/baseline_2xasr/seed0/config.yaml").read_text())
    assert init["init_param"] == ["exp/asr_debug_2xasr/valid.acc.ave.pth:encoder:encoder"]
    n_train = sum(1 for _ in open(recipe / "dump/raw/train/wav.scp"))
    assert sum(1 for _ in open(recipe / "dump/raw/train_asr/wav.scp")) == n_train + 30


@pytest.mark.slow
def test_cascade_decodes_asr_hypotheses_with_mt(ablation):
    recipe, _, _ = ablation
    cascade = recipe / "exp/ablation/cascade/seed0"
    n_test = sum(1 for _ in open(recipe / "dump/raw/test/wav.scp"))
    asr_hyps = (cascade / "asr_decode/test/text").read_text().splitlines()
    assert len(asr_hyps) == n_test
    assert (cascade / "asr_decode/test/score/scores.json").is_file()  # ASR WER/CER
    mt_hyps = (cascade / "decode_st_debug_valid.acc.ave/test/text").read_text().splitlines()
    assert [h.split()[0] for h in mt_hyps] == [h.split()[0] for h in asr_hyps]
    assert (recipe / "exp/mt_debug/valid.acc.ave.pth").is_file()


@pytest.mark.slow
def test_results_table_significance_spread_and_plots(ablation):
    recipe, _, _ = ablation
    text = (recipe / "exp/ablation/RESULTS.md").read_text()
    table = text.split("## bambara_fr/st1 ablation")[1].split("\n\n")[1]
    rows = {line.split("|")[1]: line.split("|") for line in table.splitlines()[2:]}
    assert set(rows) == set(SYSTEMS) | {"trivial_most_frequent"}
    assert rows["lau_mse_lambda1.0"][3] == "2" and "±" in rows["lau_mse_lambda1.0"][4]
    sig = text.split("## BLEU against baseline_1xasr: paired bootstrap (100 resamples)")[1]
    for label in ["|lau_mse_lambda1.0|#0 vs #0|", "|lau_mse_lambda1.0|#1 vs #0|",
                  "|baseline_2xasr|#0 vs #0|", "|cascade|#0 vs #0|"]:
        assert label in sig
    assert "|lau_mse_lambda1.0|2|" in text.split("## Seed-to-seed spread")[1]
    plots = {p.name for p in (recipe / "exp/ablation/plots").iterdir()}
    assert {"bleu_vs_lambda.png", "valid_acc_per_epoch.png", "valid_loss_st_per_epoch.png"} <= plots


@pytest.mark.slow
def test_a_second_run_reuses_everything(ablation):
    _, _, log = ablation
    assert "Step 1: shared data, tokens, embeddings and ST statistics exist: reused" in log
    assert "Step 3: 0 of 4 ST runs to do" in log
    assert "Step 4: the cascade is evaluated: reused" in log
    assert "ASR pretraining ->" not in log


def test_unknown_grid_config_is_refused(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--stage", "3", "--stop_stage", "3", "--losses", "huber",
                      check=False, script="local/run_ablation.sh")
    assert proc.returncode != 0
    assert "no config conf/tuning/train_st_lau_huber_lambda0.2.yaml" in proc.stderr


def test_outdir_outside_exp_and_missing_keys_are_named(tmp_path):
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, "--outdir", "results", check=False, script="local/run_ablation.sh")
    assert proc.returncode != 0 and "--outdir must be under exp/, got 'results'" in proc.stderr
    proc = subprocess.run(["local/decode_split.sh", "--nj", "2", "--keys", "nope.scp", "--logdir", "x",
                           "--out", "y", "--", "true"], cwd=recipe, capture_output=True, text=True)
    assert proc.returncode != 0 and "key file 'nope.scp' is missing or empty" in proc.stderr
