#!/usr/bin/env python3
"""Write <exp>/run_record.json: one ST run's learning curves, wall time, machine and the
collapse measures and BLEU of each test decoding, in one small file.

``local/run_ablation.sh`` calls it after each run, so that the grid's report
(``grid_results``) and its committed copy (``local/save_ablation.sh``) keep what
``checkpoint.pth`` and the hypotheses hold. Layout: ``espnet_lau/evaluation/run_record.py``.

Example (in the level's working folder, with the run's OMP_NUM_THREADS):
    OMP_NUM_THREADS=2 python -m espnet_lau.bin.save_run_record --exp exp/baseline/seed0 \\
        --train_text dump/raw/train/text.lc.rm.fr \\
        --ref dump/raw/test/text.lc.rm.fr --ref dump/raw/test/text.lc.rm.fr.ref2
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional

from espnet_lau.evaluation.run_record import build_run_record, write_run_record
from espnet_lau.utils.checkpoint import add_trust_pickle_option
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exp", type=Path, required=True,
                        help="the run's ESPnet training folder (checkpoint.pth, by_epoch/, <inference_tag>/)")
    parser.add_argument("--train_text", type=Path, required=True,
                        help="the training targets (Kaldi text), e.g. dump/raw/train/text.lc.rm.fr")
    parser.add_argument("--inference_tag", default="decode_st_st_model_valid.acc.ave",
                        help="the final decoding is <exp>/<inference_tag>/<test_set> (default: %(default)s)")
    parser.add_argument("--test_set", default="test", help="(default: %(default)s)")
    parser.add_argument("--ref", action="append", default=[], type=Path,
                        help="a test reference (repeat for several); given, the most-frequent-sentence "
                        "system is scored, which the collapse rule compares BLEU with")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    record = build_run_record(args.exp, args.train_text, args.inference_tag, args.test_set, args.ref,
                              trust_pickle=args.trust_pickle)
    path = write_run_record(args.exp, record)
    logging.info("Wrote %s: %d epochs, %d evaluations", path, len(record["epochs"]), len(record["evaluations"]))


if __name__ == "__main__":
    run_main(main)
