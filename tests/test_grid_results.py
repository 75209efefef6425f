"""The grid's statistics (hand-worked) and its RESULTS.md on a made-up grid layout."""

import json
import math
from pathlib import Path

import pytest

from espnet_lau.bin import grid_results
from espnet_lau.evaluation.grid_report import Comparison, GridSpecError, comparison_tables
from espnet_lau.evaluation.statistics import holm, paired_difference, spread_comparison, unpaired_difference
from staged_runs import COLLAPSED, PERFECT, POOR, data_files, record, staged_run

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


def test_unpaired_exact_permutation_hand_worked():
    u = unpaired_difference([30.0, 31.0, 32.0], [40.0, 41.0, 42.0])
    # fully separated, 3 against 3: only the observed split and its mirror are as extreme,
    # 2 of the C(6, 3) = 20 arrangements
    assert u["p_permutation"] == pytest.approx(2 / 20) and u["exact"] and u["arrangements"] == 20
    assert u["difference"] == pytest.approx(10.0) and u["n_a"] == 3 and u["n_b"] == 3
    # Welch's interval; equal sds 1 and 1: se = sqrt(2/3), df = 4
    assert u["ci_high"] - 10.0 == pytest.approx(2.776445 * math.sqrt(2 / 3), rel=1e-5)
    assert unpaired_difference(range(5), range(10, 15))["p_permutation"] == pytest.approx(2 / 252)
    many = unpaired_difference(range(12), range(5, 17))  # C(24, 12) > 100000 arrangements
    assert not many["exact"] and many["arrangements"] == 9999
    assert unpaired_difference([1.0], [2.0, 3.0]) is None


def test_spread_comparison_hand_worked():
    s = spread_comparison([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    assert s["sd_a"] == pytest.approx(1.0) and s["sd_b"] == pytest.approx(2.0) and s["ratio"] == pytest.approx(2.0)
    # Brown-Forsythe: |x - median| = (1, 0, 1) and (2, 0, 2); a one-way ANOVA of those
    assert s["p_levene"] == pytest.approx(0.4216, abs=1e-4)
    assert s == spread_comparison([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])  # seeded bootstrap: repeatable
    assert s["ratio_low"] <= 2.0 <= s["ratio_high"]


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
            "decode_st_st_model_valid.acc.ave/test/drift/drift.json",
            # the staged grid's: the run record, the final hypotheses, the scores after each evaluation epoch
            "run_record.json", "decode_st_st_model_valid.acc.ave/test/text",
            "by_epoch/ep6/score_bleu/scores.json", "by_epoch/ep6/score_bleu/result.lc.rm.txt",
            "by_epoch/ep36/score_bleu/scores.json"]
    drop = ["valid.acc.ave.pth", "export/config.yaml", "decode_st_st_model_valid.acc.ave/test/logdir/scores.json",
            "checkpoint.pth", "decode_st_st_model_valid.acc.ave/test/logdir/output.1/text",
            "decode_st_st_model_valid.acc.ave/test/score_bleu/per_utt.tsv", "by_epoch/ep6/text",
            "by_epoch/ep6/semantic_eval/semantic_eval.json", "by_epoch/ep6/drift/drift.json"]
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


@pytest.fixture(scope="module")
def staged_grid(tmp_path_factory):
    """Level 'high': baseline (seed 0 collapsed onto one training target, seeds 1-2 cut short)
    and lau (perfect from epoch 12), 3 seeds each, decoded after epochs 6 and 12, each run
    recorded by save_run_record."""
    root = tmp_path_factory.mktemp("staged")
    train, ref = data_files(root)
    runs = {("baseline", 0): {6: COLLAPSED, 12: COLLAPSED}, ("baseline", 1): {6: POOR, 12: POOR},
            ("baseline", 2): {6: POOR, 12: POOR}}
    runs.update({("lau", seed): {6: POOR, 12: PERFECT} for seed in range(3)})
    for (system, seed), hyps in runs.items():
        exp = staged_run(root / "grid/high/exp" / system / f"seed{seed}", hyps, ref)
        record(exp, train, ref)
    return root


def test_staged_grid_curves_collapse_reach_and_a_compare_family(staged_grid):
    out = staged_grid / "report/RESULTS.md"
    base = ["--grid", str(staged_grid / "grid"), "--levels", "high", "--systems", "baseline", "lau",
            "--seeds", "0", "1", "2", "--reference", "baseline", "--out", str(out),
            "--plot_dir", str(staged_grid / "report/plots"), "--log_level", "WARNING"]
    grid_results.main(base + ["--compare", "high:baseline:lau", "--compare", "high:baseline:lau:12",
                              "--reach_bleu", "30"])
    text = out.read_text()
    # BLEU per evaluation epoch, from by_epoch/ep<E>
    epochs = text.split("## Test BLEU by evaluation epoch")[1].split("##")[0]
    assert "|level|system|epoch 6|epoch 12|" in epochs
    assert "100.00 ± 0.00 (3)|" in epochs.split("|high|lau|")[1].splitlines()[0]
    # epochs to reach 30 BLEU: every lau seed at epoch 12, after 12 × (50 + 10) s
    reach = text.split("### Epochs to reach BLEU 30")[1].split("##")[0]
    assert "|high|lau|3 of 3|12|12.0 min (3 timed)|" in reach
    assert "|high|baseline|0 of 3|–|–|" in reach
    # collapse: the baseline's seed 0 at every evaluation; the rule is stated
    collapse = text.split("## Collapse")[1].split("\n## ")[0]
    assert "Rule: collapsed: the most frequent hypothesis is ≥ 50% of the output" in collapse
    assert "|level|system|epoch 6|epoch 12|final|top share %|in training %|empty %|distinct|" in collapse
    assert "|high|baseline|1/3|1/3|1/3|" in collapse and "|high|lau|0/3|0/3|0/3|" in collapse
    assert "high/baseline/seed0 (most frequent hypothesis 100% of the output)" in collapse
    # the family: 3 against 3 fully separated, p = 2/20 each; Holm over the 2 doubles it
    family = text.split("## Comparisons: BLEU (a family of 2, Holm-corrected)")[1].split("### Spread")[0]
    rows = [line for line in family.splitlines() if line.startswith("|high: lau − baseline|")]
    assert len(rows) == 2 and rows[0].startswith("|high: lau − baseline|final|3 / 3|")
    assert rows[1].startswith("|high: lau − baseline|12|3 / 3|")
    for row in rows:
        assert row.endswith("|0.100|exact, 20 arrangements|0.200|not established|")
        assert "|0.250 (n=3)|" in row  # paired sign flips: 2 of 8
    spread = text.split("### Spread of BLEU across seeds")[1].split("##")[0]
    assert "|high: lau − baseline|final|" in spread
    # the curves: one PNG each, linked from RESULTS.md
    for name in ("high_valid_acc_per_epoch.png", "high_valid_loss_st_per_epoch.png",
                 "high_test_bleu_per_eval_epoch.png"):
        assert (staged_grid / "report/plots" / name).read_bytes()[:4] == b"\x89PNG"
        assert f"](plots/{name})" in text
    # one comparison alone: nothing to correct
    grid_results.main(base + ["--compare", "high:baseline:lau"])
    assert "|0.100|exact, 20 arrangements|0.100|not established|" in out.read_text()


def test_a_broken_run_record_names_the_file(tmp_path):
    from espnet_lau.evaluation.run_record import RunRecordError

    make_run(tmp_path, "low", "baseline_1xasr", 0, 30.0)
    record_file = tmp_path / "low/exp/baseline_1xasr/seed0/run_record.json"
    record_file.write_text("{")  # an interrupted copy
    argv = ["--grid", str(tmp_path), "--levels", "low", "--systems", "baseline_1xasr", "--seeds", "0",
            "--out", str(tmp_path / "R.md"), "--plot_dir", str(tmp_path / "plots")]
    with pytest.raises(RunRecordError, match=r"seed0/run_record.json: not JSON .*write it again with save_run_record"):
        grid_results.main(argv)
    record_file.write_text('{"format": 99}')
    with pytest.raises(RunRecordError, match=r"run_record.json: not a run record of format 1"):
        grid_results.main(argv)
    assert not (tmp_path / "R.md").exists()


def test_compare_specs_are_checked(staged_grid):
    base = ["--grid", str(staged_grid / "grid"), "--levels", "high", "--systems", "baseline", "lau",
            "--seeds", "0", "--out", str(staged_grid / "x.md"), "--plot_dir", str(staged_grid / "xp")]
    for spec, message in [("high:baseline", r"--compare LEVEL:SYSTEM_A:SYSTEM_B\[:EPOCH\]: got 'high:baseline'"),
                          ("low:baseline:lau", r"level 'low' is not one of --levels \(high\)"),
                          ("high:baseline:nope", r"system 'nope' is not one of --systems \(baseline lau\)"),
                          ("high:lau:lau", "a system compared with itself"),
                          ("high:baseline:lau:ep6", r"EPOCH must be an evaluation epoch \(an integer >= 1\), got 'ep6'")]:
        with pytest.raises(GridSpecError, match=message):
            grid_results.main(base + ["--compare", spec])
    assert not (staged_grid / "x.md").exists()


def test_established_only_when_the_holm_adjusted_unpaired_p_is_below_alpha():
    def runs(values):
        return {seed: {"metrics": {"bleu": v}, "by_epoch": {}} for seed, v in enumerate(values)}

    found = {("high", "a"): runs([10.0, 11.0, 12.0, 13.0]), ("high", "b"): runs([20.0, 21.0, 22.0, 23.0]),
             ("high", "c"): runs([10.5, 11.5, 12.5, 13.5])}
    one = Comparison("high", "a", "b")
    # 4 against 4 fully separated: p = 2/70 = 0.029 < 0.05
    alone = "\n".join(comparison_tables([one], found, "bleu"))
    assert "|0.029|exact, 70 arrangements|0.029|established: b higher|" in alone
    # the same comparison in a family of 2: Holm doubles it past 0.05
    family = "\n".join(comparison_tables([one, Comparison("high", "a", "c")], found, "bleu"))
    assert "|0.029|exact, 70 arrangements|0.057|not established|" in family


def test_a_staged_run_without_its_record_is_still_missing(tmp_path):
    """A run between two evaluation epochs has a decode dir of an intermediate epoch: it is
    not counted until save_run_record has written its record."""
    from espnet_lau.evaluation.grid_report import collect

    exp = tmp_path / "grid/high/exp/sys/seed0"
    decode = exp / "tag/test/score_bleu"
    decode.mkdir(parents=True)
    (exp / "by_epoch/ep6").mkdir(parents=True)
    (decode / "scores.json").write_text(json.dumps({"bleu": 0.0}))
    found, missing = collect(tmp_path / "grid", ["high"], ["sys"], [0], "tag")
    assert not found and "high/sys/seed0" in missing
