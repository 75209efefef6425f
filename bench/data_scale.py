#!/usr/bin/env python3
"""How the recipe's data stages grow with the corpus: 1×, 4× and 16× the mini corpus (issue 15).

For every scale, a fresh working copy of the recipe (links to its scripts, as
``local/run_ablation.sh`` makes them) runs the stages one by one with
``--mini_num_train <scale × 1600>``, each in its own process tree, and records its wall
time and peak resident memory (``os.wait4``: the largest process of the tree):

====  ==========================================================================
 1    data preparation (the mini corpus: espeak-ng synthesis; Jeli-ASR: conversion)
 3    audio formatting (16 kHz mono, texts per case, Bambara normalisation)
 4    filtering (durations, target lengths, disjoint sets)
 5    BPE (source and target sentencepiece models)
 6    ASR statistics: ESPnet's ``collect_stats`` over the ASR training data
      (``--asr_stats_only true``: no training)
 7    teacher embeddings of the training and dev targets
 10   ST statistics: ESPnet's ``collect_stats`` over the ST training data
 12   decoding the test set with a trained model (``--model_dir``: an experiment with its
      packed zip, decoded through ``--download_model``; skipped without one); the test
      set does not grow with the scale
====  ==========================================================================

The growth exponent b (t ∝ n^b locally, n = training utterances) is measured between the
two largest scales; b > 1.15 flags a stage that grows faster than linearly. The projection
to the full Jeli-ASR (32,180 training, 1,463 test utterances, 3.48 s each on average)
grows the largest scale's time to 32,180 utterances with max(b, 1) and scales the
audio-bound stages by the ratio of mean durations; decoding is projected per test
utterance. Jeli-ASR's stage 1 converts audio instead of synthesising it:
``--jeli_clips N`` times ``prepare_jeli_asr`` on N synthetic clips per audio hour. Measured on whatever machine runs it; docs/scale.md
holds a 2-core run. Writes ``<out_dir>/data_scale.json`` after every stage (a re-run
skips the scales already measured unless ``--force``) and, with ``--plot``, a log-log plot.

    python bench/data_scale.py [--scales 1 4 16] [--nj 2] [--model_dir DIR] [--plot FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DEFAULT_OUT_DIR, REPO  # noqa: E402

RECIPE = REPO / "egs2" / "bambara_fr" / "st1"
MINI_TRAIN = 1600  # training utterances of the default mini corpus
STAGES = {
    1: "data preparation (synthesis)",
    3: "audio formatting",
    4: "filtering",
    5: "BPE",
    6: "ASR statistics (collect_stats)",
    7: "teacher embeddings",
    10: "ST statistics (collect_stats)",
    12: "decoding the test set",
}
AUDIO_BOUND = {1, 3, 6, 10, 12}  # stages whose work follows the audio's duration
JELI_TRAIN, JELI_TEST, JELI_MEAN_SECONDS = 32180, 1463, 32.5 * 3600 / (32180 + 1463)
SUPERLINEAR = 1.15


def recipe_copy(workdir: Path) -> Path:
    """A fresh working directory with links to the recipe's scripts and configs."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    for name in ("run.sh", "lau_st.sh", "path.sh", "cmd.sh", "local", "conf"):
        (workdir / name).symlink_to(RECIPE / name)
    return workdir


def measure(cmd: Sequence[str], cwd: Path, log: Path) -> Dict[str, float]:
    """Run ``cmd`` in ``cwd`` (output to ``log``); its wall seconds and peak RSS in MiB.

    Raises:
        RuntimeError: the command failed (naming the log).
    """
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd}: see {log}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}


def mean_duration(workdir: Path) -> float:
    """Mean duration (s) of the training utterances (``data/train/utt2dur``)."""
    values = [float(line.split()[1]) for line in (workdir / "data/train/utt2dur").read_text().splitlines()]
    return sum(values) / len(values)


def run_scale(scale: int, args, result: Dict, save: Callable[[], None]) -> None:
    """Measure every stage at one scale into ``result``; ``save()`` after each stage, so
    that a stopped run keeps what it measured."""
    workdir = recipe_copy(args.workdir / f"x{scale}")
    base = ["./run.sh", "--python", sys.executable, "--mini_size", args.mini_size,
            "--mini_num_train", str(scale * args.base_train), "--nj", str(args.nj),
            "--inference_nj", str(args.nj), "--asr_stats_only", "true", *args.recipe_args]
    if args.model_dir:  # stage 12 decodes the trained model's packed zip (--download_model)
        zips = sorted(Path(args.model_dir).glob("*.zip"))
        if not zips:
            raise FileNotFoundError(f"{args.model_dir} holds no packed zip: run the recipe's stage 14 there")
        base += ["--download_model", str(zips[0])]
    for stage, what in STAGES.items():
        if stage == 12 and not args.model_dir:
            continue
        print(f"x{scale}: stage {stage} ({what}) ...", flush=True)
        result["stages"][str(stage)] = measure(
            [*base, "--stage", str(stage), "--stop_stage", str(stage)], workdir, workdir / f"stage{stage}.log")
        print(f"x{scale}: stage {stage}: {result['stages'][str(stage)]['seconds']:.1f} s, "
              f"{result['stages'][str(stage)]['peak_rss_mib']:.0f} MiB", flush=True)
        if stage == 1:
            result["train_utterances"] = len((workdir / "data/train/wav.scp").read_text().splitlines())
            result["test_utterances"] = len((workdir / "data/test/wav.scp").read_text().splitlines())
            result["mean_seconds"] = mean_duration(workdir)
        save()
    if not args.keep:
        shutil.rmtree(workdir)


def _write_jeli_like(source: Path, num_clips: int, rate: int, channels: int) -> None:
    """A ``save_to_disk`` DatasetDict of noise clips named like Jeli's (train, test), in 50
    recordings per split, so that the dev split by recording is never empty."""
    import io

    import datasets
    import numpy as np
    import soundfile

    rng = np.random.default_rng(0)
    per_recording = max(1, num_clips // 50)  # 50 recordings (20 clips each at 1,000 clips)

    def rows(split: str, n: int) -> Dict[str, list]:
        out = {"audio": [], "bam": [], "french": []}
        for i in range(n):
            buffer = io.BytesIO()
            soundfile.write(buffer, 0.1 * rng.standard_normal((int(rate * JELI_MEAN_SECONDS), channels)), rate,
                            format="WAV", subtype="PCM_16")
            out["audio"].append({"bytes": buffer.getvalue(), "path": f"{split}_r{i // per_recording:04d}-{i:07d}-{i + 1:07d}.wav"})
            out["bam"].append(f"kuma {i}")
            out["french"].append(f"phrase {i}")
        return out

    datasets.DatasetDict({split: datasets.Dataset.from_dict(rows(split, n)).cast_column("audio", datasets.Audio())
                          for split, n in (("train", num_clips), ("test", max(20, num_clips // 20)))}
                         ).save_to_disk(str(source))


def jeli_conversion(num_clips: int, rate: int, channels: int, workdir: Path, nj: int) -> Dict[str, float]:
    """Seconds per audio hour of Jeli-ASR's stage 1 (``prepare_jeli_asr``: decode, down-mix,
    resample, write) on a ``save_to_disk`` corpus of ``num_clips`` 3.48-s clips (Jeli-ASR's
    mean length) at ``rate`` Hz and ``channels`` channels, measured in its own process.

    The corpus is written by a process of its own too: a child forked from a parent that
    held it would count the parent's pages in its peak RSS.
    """
    import multiprocessing

    source = workdir / f"jeli_{rate}_{channels}"
    if source.exists():
        shutil.rmtree(source)
    writer = multiprocessing.get_context("spawn").Process(
        target=_write_jeli_like, args=(source / "dataset", num_clips, rate, channels))
    writer.start()
    writer.join()
    if writer.exitcode != 0:
        raise RuntimeError(f"writing the Jeli-like corpus {source} failed")
    cmd = [sys.executable, "-m", "espnet_lau.bin.prepare_jeli_asr", "--source", str(source / "dataset"),
           "--output_dir", str(source / "data"), "--nj", str(nj), "--dev_permille", "100", "--progress", "false"]
    measured = measure(cmd, workdir, source / "prepare.log")
    hours = (num_clips + max(20, num_clips // 20)) * JELI_MEAN_SECONDS / 3600
    shutil.rmtree(source)
    return {**measured, "clips": num_clips, "rate": rate, "channels": channels, "audio_hours": hours,
            "seconds_per_audio_hour": measured["seconds"] / hours}


def _points(scales: List[Dict], stage: str) -> List[tuple]:
    return sorted((s["train_utterances"], s["stages"][stage]["seconds"]) for s in scales if stage in s["stages"])


def growth(scales: List[Dict], stage: str) -> Optional[float]:
    """Local exponent b = d log t / d log n between the two largest scales (None with < 2).

    Fixed costs (a Python and ESPnet start, ~10 s) flatten a fit over all scales; the
    two largest say how the stage grows where the corpus is large. b > 1.15: superlinear.
    """
    points = _points(scales, stage)
    if len(points) < 2 or points[-1][0] == points[-2][0]:
        return None
    (n1, t1), (n2, t2) = points[-2:]
    return math.log(max(t2, 0.05) / max(t1, 0.05)) / math.log(n2 / n1)


def projection(scales: List[Dict], stage: str, exponent: Optional[float] = None) -> Optional[float]:
    """Projected seconds of ``stage`` on the full Jeli-ASR (see the module docstring).

    The time at the largest scale, grown to 32,180 training utterances with the local
    exponent (never below 1: linear at least, fixed costs included); decoding per test
    utterance; audio-bound stages scaled by the ratio of mean durations.
    """
    largest = max((s for s in scales if stage in s["stages"]), key=lambda s: s["train_utterances"], default=None)
    if largest is None:
        return None
    seconds = largest["stages"][stage]["seconds"]
    if stage == "12":  # per test utterance
        seconds *= JELI_TEST / largest["test_utterances"]
    else:
        seconds *= (JELI_TRAIN / largest["train_utterances"]) ** max(1.0, exponent if exponent is not None else 1.0)
    if int(stage) in AUDIO_BOUND:
        seconds *= JELI_MEAN_SECONDS / largest["mean_seconds"]
    return seconds


def summary_table(report: Dict) -> str:
    """The Markdown table of ``data_scale.json``: time and memory per stage and scale."""
    scales = sorted((s for s in report["scales"].values() if "train_utterances" in s), key=lambda s: s["train_utterances"])
    head = " | ".join(f"{s['train_utterances']} utt." for s in scales)
    lines = [f"| stage | {head} | growth b | Jeli-ASR (projected) |",
             "|---" * (len(scales) + 3) + "|"]
    total = 0.0
    for stage, what in STAGES.items():
        key = str(stage)
        if not any(key in s["stages"] for s in scales):
            continue
        cells = [f"{s['stages'][key]['seconds']:.0f} s, {s['stages'][key]['peak_rss_mib']:.0f} MiB"
                 if key in s["stages"] else "–" for s in scales]
        b, proj = report["growth"].get(key), report["projection_seconds"].get(key)
        flag = " **superlinear**" if b is not None and b > SUPERLINEAR else ""
        total += proj or 0.0
        lines.append(f"| {stage} {what} | {' | '.join(cells)} | "
                     f"{'–' if b is None else f'{b:.2f}'}{flag} | {'–' if proj is None else f'{proj / 60:.1f} min'} |")
    lines.append("| total | " + " | ".join([""] * (len(scales) + 1)) + f" | {total / 60:.0f} min |")
    return "\n".join(lines)


def plot(report: Dict, path: Path) -> None:
    """Log-log wall time per stage against training utterances."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = sorted((s for s in report["scales"].values() if "train_utterances" in s), key=lambda s: s["train_utterances"])
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2))
    for stage, what in STAGES.items():
        pts = [(s["train_utterances"], s["stages"][str(stage)]) for s in scales if str(stage) in s["stages"]]
        if not pts:
            continue
        ax_t.plot([n for n, _ in pts], [m["seconds"] for _, m in pts], "o-", label=f"{stage} {what}")
        ax_m.plot([n for n, _ in pts], [m["peak_rss_mib"] for _, m in pts], "o-", label=f"{stage}")
    ns = [s["train_utterances"] for s in scales]
    if len(ns) > 1:
        ref = [ns[0], ns[-1]]
        ax_t.plot(ref, [1.0, ns[-1] / ns[0]], "k:", label="linear (from 1 s)")
    for ax, label in ((ax_t, "wall time (s)"), (ax_m, "peak RSS (MiB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training utterances")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    ax_t.legend(fontsize=7)
    fig.suptitle(f"Recipe stages against corpus size ({report['environment']['cpus']} CPUs, --nj {report['nj']})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16],
                        help="multiples of --base_train (default: %(default)s)")
    parser.add_argument("--base_train", type=int, default=MINI_TRAIN,
                        help="training utterances at scale 1 (default: %(default)s, the default mini corpus)")
    parser.add_argument("--mini_size", default="default", choices=["tiny", "default"],
                        help="the mini corpus's dev/test sizes and speakers (default: %(default)s)")
    parser.add_argument("--nj", type=int, default=os.cpu_count() or 1, help="the recipe's --nj (default: the CPUs)")
    parser.add_argument("--model_dir", default=None,
                        help="a trained ST experiment (with its packed zip, stage 14) to decode with, at the recipe's BPE sizes")
    parser.add_argument("--recipe_args", nargs=argparse.REMAINDER, default=[],
                        help="more ./run.sh options, last (e.g. --src_nbpe 40 --tgt_nbpe 60 ...)")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "data_scale",
                        help="working copies of the recipe (default: bench/out/data_scale)")
    parser.add_argument("--keep", action="store_true", help="keep each scale's working copy")
    parser.add_argument("--force", action="store_true", help="measure scales already in the JSON again")
    parser.add_argument("--jeli_clips", type=int, default=0,
                        help="also time Jeli-ASR's stage 1 (conversion) on this many synthetic 3.5-s clips, "
                        "at 16 kHz mono and 44.1 kHz stereo (0: not measured)")
    parser.add_argument("--out_dir", type=Path, default=DEFAULT_OUT_DIR, help="where data_scale.json goes")
    parser.add_argument("--plot", type=Path, default=None, help="write the log-log plot here (PNG)")
    return parser


def main(cmd=None) -> Dict:
    from espnet_lau.utils.fileio import write_json_atomic

    args = get_parser().parse_args(cmd)
    out = args.out_dir / "data_scale.json"
    report = json.loads(out.read_text()) if out.is_file() and not args.force else {"scales": {}}
    report.update(nj=args.nj, base_train=args.base_train, mini_size=args.mini_size,
                  environment={"cpus": os.cpu_count(), "python": sys.version.split()[0],
                               "load_before": list(os.getloadavg())})

    def finish() -> None:
        scales = [s for s in report["scales"].values() if "train_utterances" in s]
        keys = sorted({k for s in scales for k in s["stages"]}, key=int)
        report["growth"] = {k: growth(scales, k) for k in keys}
        report["projection_seconds"] = {k: projection(scales, k, report["growth"][k]) for k in keys}
        write_json_atomic(out, report, sort_keys=False)

    for scale in args.scales:
        key = f"x{scale}"
        done = report["scales"].get(key, {}).get("stages", {})
        if key in report["scales"] and all(str(s) in done for s in STAGES if s != 12 or args.model_dir):
            print(f"{key}: measured already (use --force to measure again)")
            continue
        report["scales"][key] = {"scale": scale, "stages": {}}
        try:
            run_scale(scale, args, report["scales"][key], finish)
        finally:
            finish()
    if args.jeli_clips:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report["jeli_conversion"] = {f"{rate}_{channels}ch": jeli_conversion(args.jeli_clips, rate, channels, args.workdir, args.nj)
                                     for rate, channels in ((16000, 1), (44100, 2))}
    finish()
    print("\n" + summary_table(report))
    for name, m in report.get("jeli_conversion", {}).items():
        print(f"Jeli-ASR stage 1 ({name}): {m['seconds_per_audio_hour']:.0f} s per audio hour, {m['peak_rss_mib']:.0f} MiB; "
              f"the full corpus (32.5 h): {m['seconds_per_audio_hour'] * 32.5 / 60:.1f} min")
    print(f"wrote {out}")
    if args.plot:
        plot(report, args.plot)
        print(f"wrote {args.plot}")
    return report


if __name__ == "__main__":
    main()
