"""The ablation's additions to RESULTS.md: sacrebleu paired bootstrap against a reference
system (seed-matched), the seed-to-seed spread, validation curves read from ESPnet
checkpoints, and drift found in the exp dir above a decode dir."""

import datetime
import json

import pytest
import torch
import yaml

from espnet_lau.bin import make_results as make_results_cli
from espnet_lau.evaluation.significance import PairedResult, paired_bootstrap_bleu, seed_paired_tests
from espnet_lau.evaluation.training_curves import find_checkpoint, read_curves, series

REFS = [f"le marché de la ville numéro {i} ouvre demain matin à huit heures" for i in range(60)]


def write_text(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"utt{i:03d} {t}\n" for i, t in enumerate(lines)), encoding="utf-8")
    return path


def degrade(lines, every):
    """Drop the last three words of every ``every``-th sentence."""
    return [" ".join(t.split()[:-3]) if i % every == 0 else t for i, t in enumerate(lines)]


def make_espnet_run(root, name, hyps, accs, semantic_weight, drift=None):
    """exp/<name>/{config.yaml,checkpoint.pth,drift/} with decode_st/test/{text,score}."""
    exp = root / name
    run = exp / "decode_st" / "test"
    write_text(run / "text", hyps)
    (run / "score").mkdir(parents=True)
    (run / "score" / "scores.json").write_text(json.dumps({"bleu": 50.0 + accs[-1], "wer": 10.0}))
    (exp / "config.yaml").write_text(yaml.safe_dump({"semantic_weight": semantic_weight,
                                                     "semantic_loss": "mse"}))
    stats = {e + 1: {"valid": {"acc": a, "loss_st": 10 * (1 - a), "loss_sem": float("nan"),
                               "time": datetime.timedelta(seconds=3)},
                     "train": {"loss": 1.0}} for e, a in enumerate(accs)}
    torch.save({"model": {}, "reporter": {"stats": stats, "epoch": len(accs)}}, exp / "checkpoint.pth")
    if drift is not None:
        (exp / "drift").mkdir()
        (exp / "drift" / "drift.json").write_text(json.dumps({"total_drift": drift}))
    return run


def test_paired_bootstrap_separates_a_worse_system_from_a_copy(tmp_path):
    ref = write_text(tmp_path / "ref", REFS)
    base = write_text(tmp_path / "base", degrade(REFS, 4))
    same = write_text(tmp_path / "same", degrade(REFS, 4))
    worse = write_text(tmp_path / "worse", degrade(REFS, 1))
    out = paired_bootstrap_bleu(base, {"same": same, "worse": worse}, [ref], n_samples=200)
    assert out["same"]["bleu"] == pytest.approx(out["same"]["reference_bleu"])
    # sacrebleu (after multeval) gives a copy the smallest p, 1/(n+1): zero difference
    assert out["same"]["p_value"] == pytest.approx(1 / 201)
    copy = PairedResult("same", 0, 0, out["same"]["bleu"], out["same"]["reference_bleu"],
                        out["same"]["p_value"])
    assert not copy.significant()  # ... which our table does not call significant
    assert out["worse"]["bleu"] < out["worse"]["reference_bleu"] - 10
    assert out["worse"]["p_value"] < 0.05


def test_seed_pairing(tmp_path):
    ref = write_text(tmp_path / "ref", REFS)
    hyp = {k: write_text(tmp_path / k, degrade(REFS, n)) for k, n in
           [("b0", 4), ("b1", 5), ("l0", 3), ("l1", 6), ("l2", 7)]}
    tests = seed_paired_tests("base", {"base": [hyp["b0"], hyp["b1"]],
                                       "lau": [hyp["l0"], hyp["l1"], hyp["l2"]]}, [ref], n_samples=50)
    pairs = [(t.system, t.seed_index, t.reference_seed_index) for t in tests]
    # the reference's seed 1 against its seed 0; lau seed i against base seed i, seed 2 against 0
    assert sorted(pairs) == sorted([("base", 1, 0), ("lau", 0, 0), ("lau", 2, 0), ("lau", 1, 1)])
    with pytest.raises(KeyError, match="reference system 'nope'"):
        seed_paired_tests("nope", {"base": [hyp["b0"]]}, [ref])


def test_make_results_with_reference_curves_and_spread(tmp_path):
    ref = write_text(tmp_path / "refs" / "text", REFS)
    runs = [
        ("baseline", make_espnet_run(tmp_path, "b0", degrade(REFS, 4), [0.5, 0.6], 0.0)),
        ("baseline", make_espnet_run(tmp_path, "b1", degrade(REFS, 5), [0.5, 0.7], 0.0)),
        ("lau", make_espnet_run(tmp_path, "l0", degrade(REFS, 1), [0.4, 0.65, 0.62], 1.0, drift=3.0)),
    ]
    out = tmp_path / "res" / "RESULTS.md"
    argv = ["--out", str(out), "--plot_dir", str(tmp_path / "res" / "plots"),
            "--reference", "baseline", "--ref", str(ref), "--bootstrap_samples", "100",
            "--note", "Left out: lau seed 1."]
    for name, path in runs:
        argv += ["--run", f"{name}={path}"]
    make_results_cli.main(argv)
    text = out.read_text(encoding="utf-8")
    assert "\n- Left out: lau seed 1.\n" in text
    assert "## BLEU against baseline: paired bootstrap (100 resamples)" in text
    sig = text.split("## BLEU against baseline")[1].split("##")[0]
    assert "|baseline|#1 vs #0|" in sig and "|lau|#0 vs #0|" in sig
    lau_row = next(line for line in sig.splitlines() if line.startswith("|lau|"))
    assert lau_row.endswith("|yes|")  # every sentence cut short: clearly worse
    spread = text.split("## Seed-to-seed spread")[1].split("##")[0]
    assert "|baseline|2|60.0 / 70.0|" in spread  # best valid acc per seed, from checkpoints
    assert "|50.60 / 50.70 (0.10)|" in spread  # BLEU per seed (range)
    plots = sorted(p.name for p in (tmp_path / "res" / "plots").iterdir())
    assert {"valid_acc_per_epoch.png", "valid_loss_st_per_epoch.png"} <= set(plots)
    assert "valid_bleu_per_epoch.png" not in plots  # no run reported valid BLEU
    assert "](plots/valid_acc_per_epoch.png)" in text  # linked relative to RESULTS.md
    assert "drift" in text and "3.00" in text  # found in exp/l0/drift above the decode dir


def test_make_results_reference_errors(tmp_path):
    run = make_espnet_run(tmp_path, "b0", REFS, [0.5], 0.0)
    with pytest.raises(SystemExit, match="--ref FILE"):
        make_results_cli.main(["--run", f"b={run}", "--out", str(tmp_path / "R.md"), "--reference", "b"])
    with pytest.raises(SystemExit, match="not one of the --run names"):
        make_results_cli.main(["--run", f"b={run}", "--out", str(tmp_path / "R.md"),
                               "--reference", "x", "--ref", str(run / "text")])


def test_read_curves(tmp_path):
    run = make_espnet_run(tmp_path, "b0", REFS, [0.5, 0.6], 0.0)
    checkpoint = find_checkpoint(run)
    assert checkpoint == (tmp_path / "b0" / "checkpoint.pth").resolve()
    curves = read_curves(checkpoint)
    assert series(curves, "valid", "acc") == [(1, 0.5), (2, 0.6)]
    assert series(curves, "valid", "loss_sem") == []  # NaN dropped
    assert "time" not in curves[1]["valid"]  # not a number
    torch.save({"model": {}}, tmp_path / "bare.pth")
    with pytest.raises(ValueError, match="bare.pth: no ESPnet Reporter"):
        read_curves(tmp_path / "bare.pth")
