#!/usr/bin/env python3
"""Total Parameter Drift ‖θ_final − θ_init‖₂ of the encoder, per module and per layer.

Example:
    python -m espnet_lau.bin.param_drift --init exp/asr/valid.acc.best.pth \\
        --final exp/st_lau/valid.acc.best.pth --outdir exp/st_lau/drift

``--init_config exp/st_lau/config.yaml`` instead of ``--init``: the file of the training's
encoder ``init_param`` (``<file>:<src_key>:encoder``), i.e. the weights it started from
(the recipe's ``--pretrained_encoder``, whose file only the prepared config names).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Optional

import yaml
from espnet2.utils.types import str2bool

from espnet_lau.evaluation.drift import drift_markdown, parameter_drift
from espnet_lau.evaluation.plots import bar_plot
from espnet_lau.evaluation.report_io import write_report
from espnet_lau.utils.checkpoint import add_trust_pickle_option, load_state_dict
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main
from espnet_lau.utils.errors import UserError


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--init", help="state dict or ESPnet checkpoint.pth before training")
    start.add_argument("--init_config",
                       help="a training's config.yaml: compare with the file of its encoder init_param")
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


class InitConfigError(UserError, ValueError):
    """A training config names no starting weights of the encoder."""


def encoder_init_file(config: Path) -> str:
    """The file of the ``init_param`` that initialises ``encoder`` in a training's config."""
    options = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for init in (options.get("init_param") or []) if isinstance(options, dict) else []:
        parts = str(init).split(":", 4)
        if len(parts) >= 3 and parts[2] == "encoder":
            return parts[0]
    raise InitConfigError(f"{config}: no init_param initialises the encoder (<file>:<src_key>:encoder): "
                    "give the starting weights with --init")


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    if args.init_config:
        args.init = encoder_init_file(Path(args.init_config))
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
