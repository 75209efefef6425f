#!/usr/bin/env python3
"""Total Parameter Drift ‖θ_final − θ_init‖₂ of the encoder, per module and per layer.

Example:
    python -m espnet_lau.bin.param_drift --init exp/asr/valid.acc.best.pth \\
        --final exp/st_lau/valid.acc.best.pth --outdir exp/st_lau/drift
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Optional

from espnet2.utils.types import str2bool

from espnet_lau.evaluation.drift import drift_markdown, parameter_drift
from espnet_lau.evaluation.plots import bar_plot
from espnet_lau.evaluation.report_io import write_report
from espnet_lau.utils.checkpoint import add_trust_pickle_option, load_state_dict
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--init", required=True, help="state dict or ESPnet checkpoint.pth before training"
    )
    parser.add_argument(
        "--final", required=True, help="state dict or ESPnet checkpoint.pth after training"
    )
    parser.add_argument(
        "--prefix", default="encoder.", help="compare float tensors whose key starts with this"
    )
    parser.add_argument(
        "--outdir", required=True, help="writes drift.json, drift.md, drift_per_layer.png"
    )
    parser.add_argument(
        "--allow_missing", type=str2bool, default=False,
        help="true: compare the common same-shape tensors and warn about missing/extra/mismatched keys",
    )
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    init = load_state_dict(args.init, trust_pickle=args.trust_pickle)
    final = load_state_dict(args.final, trust_pickle=args.trust_pickle)
    report = parameter_drift(init, final, prefix=args.prefix, allow_missing=args.allow_missing)
    report = {"init": args.init, "final": args.final, **report}
    outdir = Path(args.outdir)
    names = list(report["per_layer"])
    bar_plot(
        names, [report["per_layer"][n]["drift"] for n in names], outdir / "drift_per_layer.png",
        title=f"Parameter drift per layer (total {report['total_drift']:.4g})",
        ylabel="‖θ_final − θ_init‖₂",
    )
    report["plot"] = str(outdir / "drift_per_layer.png")
    write_report(report, drift_markdown(report), outdir, "drift")


if __name__ == "__main__":
    run_main(main)
