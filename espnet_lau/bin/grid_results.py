#!/usr/bin/env python3
"""RESULTS.md of the LAU grid of ``local/run_ablation.sh``: levels × systems × seeds.

Per level mean ± sd of every metric, seed-paired differences to ``--reference``, the
seed spread, λ, r and drift; where the runs have them, test BLEU by evaluation epoch,
epochs to reach ``--reach_bleu``, the collapse rate of each cell, learning-curve plots;
and the ``--compare`` family of comparisons (unpaired exact permutation tests, spread
tests, Holm's correction across the family). What is read and written:
``espnet_lau/evaluation/grid_report.py``.

    python -m espnet_lau.bin.grid_results --grid exp/ablation --levels low high \\
        --systems baseline_1xasr lau_mse_std_r1 --seeds 0 1 2 --out exp/ablation/RESULTS.md \\
        --plot_dir exp/ablation/plots --compare high:baseline_1xasr:lau_mse_std_r1 \\
        --compare high:baseline_1xasr:lau_mse_std_r1:12
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional

from espnet_lau.evaluation.grid_report import grid_report, parse_comparison
from espnet_lau.evaluation.results import METRICS
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main
from espnet_lau.utils.fileio import write_text_atomic


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", type=Path, required=True, help="the grid's --outdir")
    parser.add_argument("--levels", nargs="+", required=True)
    parser.add_argument("--systems", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True, help="the seeds of every system")
    parser.add_argument("--extra_seeds", nargs="*", type=int, default=[], help="more seeds for --extra_seeded")
    parser.add_argument("--extra_seeded", nargs="*", default=[], help="the systems that also get --extra_seeds")
    parser.add_argument("--inference_tag", default="decode_st_st_model_valid.acc.ave")
    parser.add_argument("--reference", default="baseline_1xasr", help="the system the others are compared to")
    parser.add_argument("--compare", action="append", default=[], metavar="LEVEL:SYSTEM_A:SYSTEM_B[:EPOCH]",
                        help="a comparison of the family tested and Holm-corrected together: SYSTEM_B − "
                        "SYSTEM_A at LEVEL, on the final decoding or at evaluation epoch EPOCH (repeat)")
    parser.add_argument("--compare_metric", default="bleu", choices=[key for key, _, _ in METRICS],
                        help="the metric of the --compare family (default: %(default)s)")
    parser.add_argument("--reach_bleu", type=float, default=30.0,
                        help="the BLEU whose first evaluation epoch is reported (default: %(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="the RESULTS.md to write")
    parser.add_argument("--plot_dir", type=Path, required=True)
    parser.add_argument("--title", default="LAU grid")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    comparisons = [parse_comparison(spec, args.levels, args.systems) for spec in args.compare]
    text = grid_report(args.grid, args.levels, args.systems, args.seeds, args.inference_tag, args.reference,
                       args.out, args.plot_dir, args.title, args.extra_seeds, args.extra_seeded,
                       comparisons, args.compare_metric, args.reach_bleu)
    if text is None:
        raise SystemExit(f"grid_results: error: no evaluated run under {args.grid}: run local/run_ablation.sh first")
    write_text_atomic(args.out, text)
    logging.info("Wrote %s", args.out)


if __name__ == "__main__":
    run_main(main)
