"""save_run_record: one run's curves, wall time, machine, BLEU and collapse per evaluation
epoch in run_record.json; and the collapse measures themselves."""

import argparse
import json

import pytest

from espnet_lau.bin import save_run_record
from espnet_lau.evaluation.collapse import collapse_measures, collapse_reasons, most_frequent_target
from espnet_lau.evaluation.run_record import MAX_RECORD_BYTES, RunRecordError
from espnet_lau.utils.checkpoint import CheckpointError
from staged_runs import COLLAPSED, PERFECT, POOR, TAG, data_files, record, staged_run


def test_collapse_measures_hand_worked():
    hyps = ["il pleut", "il pleut", "", "le marché ouvre", "il pleut"]
    m = collapse_measures(hyps, {"il pleut", "le chat dort"})
    assert m == {"n": 5, "in_training_share": 0.6, "empty_share": 0.2, "top_share": 0.6,
                 "top_hypothesis": "il pleut", "distinct": 3}
    assert collapse_reasons(0.6) == ["most frequent hypothesis 60% of the output"]
    assert collapse_reasons(0.49, bleu=5.0, most_frequent_bleu=4.0) == []
    assert collapse_reasons(0.49, bleu=3.0, most_frequent_bleu=4.0) == [
        "BLEU 3.00 below the most-frequent-sentence system's 4.00"]
    assert collapse_reasons(0.49, bleu=3.0) == []  # no most-frequent BLEU: only the share counts
    assert most_frequent_target({"a": "x", "b": "y", "c": "y", "d": "x"}) == ("x", 2)  # tie: first seen


def test_record_of_a_staged_run(tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    train, ref = data_files(tmp_path)
    exp = staged_run(tmp_path / "exp/baseline/seed0", {6: COLLAPSED, 12: PERFECT}, ref)
    record(exp, train, ref)
    path = exp / "run_record.json"
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= MAX_RECORD_BYTES and str(tmp_path) not in text  # small, no absolute path
    rec = json.loads(text)
    assert [row["epoch"] for row in rec["epochs"]] == list(range(1, 13))
    first = rec["epochs"][0]
    assert first["train"] == {"loss": 20.0, "loss_st": 18.0, "acc": 0.04, "train_time": 0.5}
    assert first["valid"] == pytest.approx({"loss": 22.0, "loss_st": 20.0, "acc": 0.055})
    assert first["seconds"] == {"train": 50.0, "valid": 10.0}
    assert rec["training_seconds"] == {"reporter_total": 720.0, "stage_times": {"11": 700.0, "12": 30.0, "13": 20.0},
                                       "stage_times_total": 750.0}
    machine = rec["machine"]
    assert machine["omp_num_threads"] == 3 and machine["torch_num_threads"] == 3
    assert machine["omp_num_threads_source"] == "environment of save_run_record"
    assert machine["logical_cores"] >= 1 and machine["cpu"]
    assert rec["train_targets"] == {"utterances": 10, "distinct": 7, "most_frequent_share": 0.4}
    assert rec["most_frequent_bleu"] == pytest.approx(0.0, abs=1.0)  # "il pleut à bamako" everywhere
    evals = {ev["name"]: ev for ev in rec["evaluations"]}
    assert list(evals) == ["ep6", "ep12", "final"]
    assert evals["final"]["epoch"] == 12 and evals["final"]["dir"] == f"{TAG}/test"
    assert evals["ep12"]["bleu"] == pytest.approx(100.0) and evals["final"]["bleu"] == pytest.approx(100.0)
    assert evals["ep6"]["collapse"] == {"n": 8, "in_training_share": 1.0, "empty_share": 0.0, "top_share": 1.0,
                                        "top_hypothesis": "il pleut à bamako", "distinct": 1}
    assert evals["final"]["collapse"]["top_share"] == 0.125 and evals["final"]["collapse"]["distinct"] == 8


def test_threads_from_train_log_else_unknown(tmp_path, monkeypatch):
    train, ref = data_files(tmp_path)
    exp = staged_run(tmp_path / "exp/lau/seed1", {6: POOR}, ref, epochs=6)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    record(exp, train, ref)
    machine = json.loads((exp / "run_record.json").read_text())["machine"]
    assert machine["omp_num_threads"] == "unknown" and machine["torch_num_threads"] == "unknown"
    (exp / "train.log").write_text("# OMP_NUM_THREADS=2 python -m espnet_lau.bin.lau_st_train ...\n")
    monkeypatch.setenv("OMP_NUM_THREADS", "8")  # the run's own log wins over this process's environment
    record(exp, train, ref)
    machine = json.loads((exp / "run_record.json").read_text())["machine"]
    assert (machine["omp_num_threads"], machine["omp_num_threads_source"]) == (2, "train.log")


def test_a_checkpoint_with_other_objects_needs_trust_pickle(tmp_path):
    train, ref = data_files(tmp_path)
    exp = staged_run(tmp_path / "exp/b/seed0", {6: POOR}, ref, epochs=6, extra={"args": argparse.Namespace(x=1)})
    with pytest.raises(CheckpointError, match=r"checkpoint.pth: holds pickled objects other than tensors \(argparse.Namespace\).*--trust_pickle true"):
        record(exp, train, ref)
    assert not (exp / "run_record.json").exists()
    record(exp, train, ref, "--trust_pickle", "true")  # the user made it
    assert (exp / "run_record.json").is_file()


def test_errors_name_the_file(tmp_path):
    train, ref = data_files(tmp_path)
    with pytest.raises(RunRecordError, match=r"nothing/checkpoint.pth: no such file: train the run first"):
        save_run_record.main(["--exp", str(tmp_path / "nothing"), "--train_text", str(train)])
    exp = staged_run(tmp_path / "exp/b/seed0", {6: POOR}, ref, epochs=6)
    with pytest.raises(FileNotFoundError):
        save_run_record.main(["--exp", str(exp), "--train_text", str(tmp_path / "no_text")])
    (exp / "stage_times.tsv").write_text("11\t700\n12 thirty\n")
    with pytest.raises(RunRecordError, match=r"stage_times.tsv:2: expected '<stage>\\t<seconds>\\t<finished>'"):
        save_run_record.main(["--exp", str(exp), "--train_text", str(train)])
    (exp / "stage_times.tsv").unlink()
    import torch
    torch.save({"model": {}}, exp / "checkpoint.pth")
    with pytest.raises(RunRecordError, match=r"checkpoint.pth: no ESPnet Reporter statistics"):
        save_run_record.main(["--exp", str(exp), "--train_text", str(train)])
    assert not (exp / "run_record.json").exists()

