#!/usr/bin/env python3
"""A trivial system: output the most frequent training target for every utterance.

The recipe scores it next to the real model, so that a BLEU figure can be read against
what no listening at all achieves.
"""

import argparse
import logging
from pathlib import Path

from espnet_lau.data.kaldi_table import read_table, write_table
from espnet_lau.evaluation.collapse import most_frequent_target
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


def most_frequent_hypotheses(train_text: Path, keys: Path) -> dict:
    """{uttid of ``keys``: the most frequent sentence of ``train_text``} (ties: first seen)."""
    targets = read_table(train_text, check_sorted=False)
    if not targets:
        raise ValueError(f"{train_text}: empty")
    sentence, count = most_frequent_target(targets)
    logging.info(f"Most frequent training target ({count}x): {sentence!r}")
    return {uttid: sentence for uttid in read_table(keys, check_sorted=False)}


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train_text", type=Path, required=True, help="e.g. dump/raw/train/text.lc.rm.fr")
    parser.add_argument("--keys", type=Path, required=True, help="a Kaldi file of the test ids")
    parser.add_argument("--out", type=Path, required=True, help="hypothesis text to write")
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    write_table(args.out, most_frequent_hypotheses(args.train_text, args.keys))


if __name__ == "__main__":
    run_main(main)
