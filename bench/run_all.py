#!/usr/bin/env python3
"""The benchmark suite behind `make bench`: what LAU costs next to the ESPnet ST baseline.

Runs, in one process (the peak-RSS runs in processes of their own):

1. ``teacher_cost`` with the step figures of ``train_step``: LAU (λ=1, MSE, precomputed
   ``sem_emb``) ÷ baseline training step time (target ≤ 1.03), the share of LAUSTModel's
   ``sem_emb`` check in a step, and the speed-up of precomputing the teacher's embeddings
   over running the teacher on every batch (the paper's way), per teacher;
2. ``config_speed``: the mini configs' front end (40 mels every 16 ms) ÷ the previous one
   (80 every 10 ms), training step time (target ≤ 0.5);
3. ``decoding``: the exported LAU model vs the baseline with stock ESPnet decoding:
   parameter count (identical), real-time-factor ratio at beams 1 and 5 (1.00 ± noise),
   identical hypotheses of the LAU checkpoint and its export;
4. ``memory``: LAU ÷ baseline peak RSS of a training process (target ≤ 1.05);
5. ``teacher_throughput``: sentences/s of each teacher at batch sizes 1, 32, 128;
6. ``ssl_step``: on a frozen self-supervised frontend (a small wav2vec2, ``--ssl_model``'s
   config), LAU ÷ baseline training step time (target ≤ 1.01) and peak RSS (≤ 1.05).

Every ratio compares variants measured side by side, alternating, so that background
load hits them alike. Prints one Markdown table (figure, target, median, min–max,
verdict) and writes ``<out_dir>/bench.json`` (every figure with its raw values, the
machine, its load average before and after, the time each part took). Details of each
figure: docs/bench.md. 5-8 minutes on 2 CPU cores shared with a training job (ssl_step adds about a minute).

    python bench/run_all.py [--preset mini|debug] [--repeats N] [--threads 1]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import config_speed, decoding, memory, ssl_step, teacher_cost, teacher_throughput  # noqa: E402
from bench.common import base_parser, repeats_for, setup, write_report  # noqa: E402


def main(cmd=None):
    parser = base_parser(__doc__)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep decoding's speech, checkpoints and exports here "
                        "(default: a temporary folder)")
    memory.add_start_method_option(parser)
    args = parser.parse_args(cmd)
    preset, _ = setup(args, "train_step")
    load_before, start = list(os.getloadavg()), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        def decode():
            # Decoding first trains two models (untimed, a minute or more): meanwhile the
            # memory part's forkserver does its imports.
            if args.start_method == "forkserver":
                memory.start_forkserver()
            return decoding.run(preset, repeats_for(args, preset, "decoding"),
                                args.workdir or Path(tmp))

        parts = {
            "train_step+teacher_cost": lambda: teacher_cost.run(
                preset, repeats_for(args, preset, "train_step"), with_step_figures=True),
            "config_speed": lambda: config_speed.run(
                preset, repeats_for(args, preset, "train_step")),
            "decoding": decode,
            "memory": lambda: memory.run(preset, repeats_for(args, preset, "memory"),
                                         args.threads, args.start_method),
            "teacher_throughput": lambda: teacher_throughput.run(
                preset, repeats_for(args, preset, "teacher_throughput")),
            "ssl_step": lambda: ssl_step.run(
                preset, repeats_for(args, preset, "train_step"), args.threads, args.start_method),
        }
        figures, seconds = [], {}
        for name, part in parts.items():
            print(f"\n== {name} ({time.perf_counter() - start:.0f} s)", flush=True)
            part_start = time.perf_counter()
            figures += part()
            seconds[name] = time.perf_counter() - part_start
    wall = time.perf_counter() - start
    print(f"\n== suite: {wall:.0f} s ("
          + ", ".join(f"{name} {s:.0f} s" for name, s in seconds.items()) + ")")
    write_report("bench", figures, args.out_dir, preset=preset.name, threads=args.threads,
                 start_method=args.start_method, wall_seconds=wall, part_seconds=seconds,
                 load_average_before=load_before)


if __name__ == "__main__":
    main()
