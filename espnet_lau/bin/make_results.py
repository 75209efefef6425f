#!/usr/bin/env python3
"""Gather scores.json / semantic_eval.json / drift.json / config.yaml of several runs
into one ESPnet-style RESULTS.md, and plot each metric against λ (semantic_weight).

A run directory holds (each optional): scores.json (or score/, score_st/),
semantic_eval.json (or semantic_eval/), drift.json (or drift/, param_drift/), and
config.yaml (or in a parent directory, up to 3 levels). Runs sharing a NAME are seeds
of one system: mean ± std.

Example:
    python -m espnet_lau.bin.make_results --run baseline=exp/base/eval \\
        --run lau_mse_1=exp/mse1_seed1/eval --run lau_mse_1=exp/mse1_seed2/eval \\
        --out RESULTS.md --plot_dir exp/plots
"""

from __future__ import annotations

import argparse
from typing import List, Optional, Tuple

from espnet_lau.cli import add_log_level_option, setup_logging
from espnet_lau.evaluation.report_io import write_text
from espnet_lau.evaluation.results import aggregate, load_run, plot_against_lambda, results_markdown


def run_spec(text: str) -> Tuple[str, str]:
    """``NAME=DIR`` → ``(NAME, DIR)``."""
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=DIR, got {text!r}")
    return name, path


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run", required=True, action="append", type=run_spec, metavar="NAME=DIR",
        help="a run directory; repeat; the same NAME several times = seeds of one system",
    )
    parser.add_argument("--out", required=True, help="the RESULTS.md to write")
    parser.add_argument("--plot_dir", default=None, help="write <metric>_vs_lambda.png here")
    parser.add_argument("--title", default="ST results", help="section title of the table")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = get_parser().parse_args(cmd)
    setup_logging(args.log_level)
    systems = aggregate([load_run(name, path) for name, path in args.run])
    write_text(results_markdown(systems, title=args.title), args.out)
    if args.plot_dir:
        plot_against_lambda(systems, args.plot_dir)


if __name__ == "__main__":
    main()
