#!/usr/bin/env python3
"""Export a LAU ST checkpoint as a stock ESPnet ST model (semantic head removed).

The output directory holds ``config.yaml`` and ``model.pth`` that stock
``espnet2.bin.st_inference``, ``espnet2.bin.pack st`` and the ESPnet model zoo load
as a plain ``ESPnetSTModel``.
"""

import argparse
import logging

from espnet2.utils.types import str2bool

from espnet_lau.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.export import ExportError, export_stock


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--config", required=True, help="exp/<st_exp>/config.yaml")
    parser.add_argument(
        "--model_file",
        required=True,
        help="exp/<st_exp>/valid.acc.ave.pth (or any *.pth / checkpoint.pth)",
    )
    parser.add_argument("--outdir", required=True, help="where config.yaml and model.pth go")
    parser.add_argument("--trust_pickle", type=str2bool, default=False,
                        help="load with torch.load(weights_only=False), e.g. ESPnet's checkpoint.pth; "
                        "only for files you trust")
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    with user_errors("export_stock", ExportError):
        config, model = export_stock(args.config, args.model_file, args.outdir, trust_pickle=args.trust_pickle)
    logging.info(f"Wrote the stock ST model: {config} {model}")


if __name__ == "__main__":
    run_main(main)
