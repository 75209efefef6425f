"""The grid's statistics (hand-worked) and its RESULTS.md on a made-up grid layout."""

import json
import math
from pathlib import Path

import pytest

from espnet_lau.bin import grid_results
from espnet_lau.evaluation.grid_stats import holm, paired_difference

TAG = "decode_st_st_model_valid.acc.ave"


def test_paired_difference_hand_worked():
    ref = {0: 30.0, 1: 36.0, 2: 33.0}
    lau = {0: 32.0, 1: 37.0, 2: 36.0, 3: 99.0}  # seed 3 has no pair: ignored
    d = paired_difference(ref, lau)
    # differences 2, 1, 3: mean 2, sd 1, half-width t(0.975, 2) * 1 / sqrt(3) = 4.303 / 1.732
    assert d["n"] == 3 and d["mean"] == pytest.approx(2.0) and d["sd"] == pytest.approx(1.0)
    assert d["ci_high"] - d["mean"] == pytest.approx(4.302653 / math.sqrt(3), rel=1e-5)
    assert d["p_t"] == pytest.approx(0.07418, abs=1e-4)
    assert d["p_permutation"] == pytest.approx(0.25)  # 2 of the 8 sign patterns are as extreme
    assert paired_difference({0: 1.0}, {0: 2.0}) is None  # one seed: no interval


def test_holm_hand_worked():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []


def make_run(root, level, system, seed, bleu, drift=20.0, r=None, lam=None):
    exp = root / level / "exp" / (system if system == "cascade" else f"{system}/seed{seed}")
    decode = exp / TAG / "test"
    (decode / "score_bleu").mkdir(parents=True)
    (decode / "score_bleu/scores.json").write_text(json.dumps(
        {"bleu": bleu, "chrf": bleu + 10, "wer": 50.0, "cer": 40.0}))
    (decode / "drift").mkdir()
    (decode / "drift/drift.json").write_text(json.dumps({"total_drift": drift}))
    (exp / "config.yaml").write_text(f"semantic_weight: {lam or 0.0}\nsemantic_loss: mse\n")
    if r is not None:
        (exp / "semantic_balance.json").write_text(json.dumps(
            {"ratio": r, "ratio_per_unit_lambda": r / lam, "target_ratio": 1.0, "lambda_for_target_ratio": lam}))


def test_results_of_a_partial_grid(tmp_path):
    for level, shift in (("low", 0.0), ("high", 5.0)):
        for seed, noise in enumerate((0.0, 3.0, -2.0)):
            make_run(tmp_path, level, "baseline_1xasr", seed, 30 + noise)
            make_run(tmp_path, level, "lau_mse_std_r1", seed, 30 + noise + shift, drift=25.0, r=1.0, lam=12.5)
    make_run(tmp_path, "low", "cascade", 0, 90.0)
    out = tmp_path / "RESULTS.md"
    grid_results.main(["--grid", str(tmp_path), "--levels", "low", "high", "--systems", "baseline_1xasr",
                       "lau_mse_std_r1", "--seeds", "0", "1", "2", "3", "--out", str(out),
                       "--plot_dir", str(tmp_path / "plots")])
    text = out.read_text()
    assert "**Missing (5 runs, not evaluated yet):** low/baseline_1xasr/seed3" in text
    assert "high/cascade" in text  # named as missing
    assert "|high|lau_mse_std_r1|BLEU|3|+5.00|[+5.00, +5.00]|" in text
    assert "|low|lau_mse_std_r1|BLEU|3|+0.00|" in text
    assert "|low|lau_mse_std_r1|3|2.52|28.00–33.00|12.5000 ± 0.0000|1.000 ± 0.000|–|25.00 ± 0.00|" in text
    assert "|cascade|1|90.00|" in text
    assert (tmp_path / "plots/bleu_gap_vs_variance.png").is_file()
    assert "](plots/bleu_gap_vs_variance.png)" in text and str(tmp_path) not in text


def test_extra_seeds_are_missing_only_for_the_systems_planned_with_them(tmp_path):
    for seed in range(3):
        make_run(tmp_path, "low", "baseline_1xasr", seed, 30.0 + seed)
        make_run(tmp_path, "low", "lau_mse_std_r1", seed, 35.0 + seed, drift=25.0, r=1.0, lam=3.0)
    make_run(tmp_path, "low", "lau_mse_std_r1", 3, 40.0, drift=25.0, r=1.0, lam=3.0)
    make_run(tmp_path, "low", "cascade", 0, 90.0)
    out = tmp_path / "RESULTS.md"
    grid_results.main(["--grid", str(tmp_path), "--levels", "low", "--systems", "baseline_1xasr", "lau_mse_std_r1",
                       "--seeds", "0", "1", "2", "--extra_seeds", "3", "--extra_seeded", "lau_mse_std_r1",
                       "--out", str(out), "--plot_dir", str(tmp_path / "plots")])
    text = out.read_text()
    assert "Seeds asked for: 0 1 2, and 3 for lau_mse_std_r1." in text
    assert "Missing" not in text  # baseline_1xasr/seed3 is not in the plan
    assert "|lau_mse_std_r1|4|37.00 ± 2.16|" in text  # seed 3 counts where it was planned


def test_save_ablation_copies_the_report_and_the_small_files_of_every_run(tmp_path):
    import subprocess

    recipe = Path(__file__).resolve().parents[1] / "egs2/bambara_fr/st1"
    grid = tmp_path / "exp/ablation"
    run = grid / "low/exp/lau_mse_std_r1/seed3"
    keep = ["config.yaml", "semantic_balance.json", "decode_st_st_model_valid.acc.ave/test/score_bleu/scores.json",
            "decode_st_st_model_valid.acc.ave/test/score_bleu/result.lc.rm.txt",
            "decode_st_st_model_valid.acc.ave/test/semantic_eval/semantic_eval.json",
            "decode_st_st_model_valid.acc.ave/test/drift/drift.json"]
    drop = ["valid.acc.ave.pth", "export/config.yaml", "decode_st_st_model_valid.acc.ave/test/logdir/scores.json"]
    for name in keep + drop:
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        (run / name).write_text(name)
    (grid / "high/exp/cascade/decode_st_st_model_valid.acc.ave/test/score_bleu").mkdir(parents=True)
    (grid / "high/exp/cascade/decode_st_st_model_valid.acc.ave/test/score_bleu/scores.json").write_text("{}")
    (grid / "low/data/train").mkdir(parents=True)
    (grid / "low/data/train/corpus.json").write_text("{}")
    (grid / "plots").mkdir()
    (grid / "plots/bleu.png").write_bytes(b"png")
    (grid / "RESULTS.md").write_text("# grid\n")
    out = subprocess.run([str(recipe / "local/save_ablation.sh"), "--grid", str(grid), "--dest", str(tmp_path / "ablation")],
                         cwd=recipe, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    runs = tmp_path / "ablation/runs"
    copied = {str(p.relative_to(runs)) for p in runs.rglob("*") if p.is_file()}
    assert copied == {f"low/exp/lau_mse_std_r1/seed3/{n}" for n in keep} | {
        "high/exp/cascade/decode_st_st_model_valid.acc.ave/test/score_bleu/scores.json"}
    assert (tmp_path / "ablation/RESULTS.md").read_text() == "# grid\n" and (tmp_path / "ablation/plots/bleu.png").is_file()
