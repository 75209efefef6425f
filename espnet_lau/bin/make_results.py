#!/usr/bin/env python3
"""Gather scores.json / semantic_eval.json / drift.json / config.yaml of several runs
into one ESPnet-style RESULTS.md, and plot each metric against λ (semantic_weight).

A run directory holds (each optional): scores.json (or score/, score_st/),
semantic_eval.json (or semantic_eval/), drift.json (or drift/, param_drift/), and
config.yaml (or in a parent directory, up to 3 levels). Runs sharing a NAME are seeds
of one system: mean ± std.

With --reference NAME and --ref FILE..., each system's BLEU is tested against NAME's
with sacrebleu's paired bootstrap (seed-matched; RUN_DIR/text holds the hypotheses).
Validation curves per epoch and seed are plotted from the checkpoint.pth of each run's
own ESPnet experiment folder (training stability): the run directory itself, or the
experiment above a decode dir <exp>/<inference_tag>/<test_set>; it loads with
torch.load(weights_only=True) (--trust_pickle true for other pickled objects).

Example:
    python -m espnet_lau.bin.make_results --run baseline=exp/base/eval \\
        --run lau_mse_1=exp/mse1_seed1/eval --run lau_mse_1=exp/mse1_seed2/eval \\
        --out RESULTS.md --plot_dir exp/plots
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from espnet_lau.evaluation.plots import plot_against_lambda
from espnet_lau.evaluation.report_io import write_text
from espnet_lau.evaluation.results import (
    SystemResult,
    aggregate,
    figures_markdown,
    load_run,
    results_markdown,
    seed_spread_markdown,
    significance_markdown,
)
from espnet_lau.evaluation.significance import seed_paired_tests
from espnet_lau.evaluation.training_curves import (
    Curves,
    find_checkpoint,
    plot_validation_curves,
    read_curves,
    series,
)
from espnet_lau.utils.checkpoint import add_trust_pickle_option
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


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
    parser.add_argument("--note", action="append", default=[], metavar="TEXT",
                        help="a line for the table's notes (e.g. what was left out); repeat")
    parser.add_argument("--reference", default=None, metavar="NAME",
                        help="test every system's BLEU against this one (paired bootstrap)")
    parser.add_argument("--ref", action="append", default=[], metavar="FILE",
                        help="reference translations (Kaldi text) for --reference; repeat")
    parser.add_argument("--bootstrap_samples", type=int, default=1000,
                        help="paired bootstrap resamples")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def significance_section(systems: Sequence[SystemResult], args) -> List[str]:
    """Seed-matched paired bootstrap of every system with hypotheses against --reference."""
    hyps = {s.name: [r.hyp_path for r in s.runs] for s in systems}
    missing = [name for name, paths in hyps.items() if None in paths]
    if args.reference in missing:
        raise SystemExit(f"--reference {args.reference}: a run has no hypotheses (RUN_DIR/text)")
    for name in missing:
        logging.warning("%s: a run has no RUN_DIR/text; not in the significance test", name)
    tests = seed_paired_tests(
        args.reference, {k: v for k, v in hyps.items() if k not in missing}, args.ref,
        n_samples=args.bootstrap_samples,
    )
    return significance_markdown(tests, args.reference, args.bootstrap_samples)


def validation_curves(systems: Sequence[SystemResult], trust_pickle: bool = False) -> Dict[str, List[Curves]]:
    """system -> per-epoch statistics of each run whose experiment has an ESPnet checkpoint."""
    curves: Dict[str, List[Curves]] = {}
    for s in systems:
        for r in s.runs:
            checkpoint = find_checkpoint(r.path)
            if checkpoint is not None:
                curves.setdefault(s.name, []).append(read_curves(checkpoint, trust_pickle))
    return curves


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    if args.reference and not args.ref:
        raise SystemExit("--reference needs the reference translations: --ref FILE")
    systems = aggregate([load_run(name, path) for name, path in args.run])
    if args.reference and args.reference not in {s.name for s in systems}:
        raise SystemExit(f"--reference {args.reference} is not one of the --run names")
    sections: List[str] = []
    if args.reference:
        sections += significance_section(systems, args)
    curves = validation_curves(systems, args.trust_pickle)
    best_acc = {name: [max((v for _, v in series(c, "valid", "acc")), default=None) for c in runs]
                for name, runs in curves.items()}
    sections += seed_spread_markdown(systems, best_acc)
    if args.plot_dir:
        plots = plot_against_lambda(systems, args.plot_dir)
        plots += plot_validation_curves(curves, args.plot_dir)
        sections += figures_markdown(plots, Path(args.out).parent)
    write_text(results_markdown(systems, title=args.title, sections=sections, notes=args.note),
               args.out)


if __name__ == "__main__":
    run_main(main)
