#!/usr/bin/env python3
"""Recipe stage 2: speed-perturbed copies of a training set (sox ``speed``)."""

import argparse
import logging

from espnet_lau.data.speed_perturb import speed_perturb
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main
from espnet_lau.utils.numbers import positive_float, positive_int


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--src", required=True, help="Kaldi data dir, e.g. data/train")
    parser.add_argument("--dst", required=True, help="e.g. data/train_sp")
    parser.add_argument("--factors", type=positive_float, nargs="+", required=True,
                        help="e.g. 0.9 1.0 1.1 (1.0 keeps the originals)")
    parser.add_argument("--nj", type=positive_int, default=1)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    n = speed_perturb(args.src, args.dst, args.factors, args.nj)
    logging.info(f"{args.dst}: {n} utterances")


if __name__ == "__main__":
    run_main(main)
