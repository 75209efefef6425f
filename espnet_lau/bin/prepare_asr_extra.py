#!/usr/bin/env python3
"""Prepare ASR-only Bambara speech from real corpora as one Kaldi data dir (data/train_asr_extra).

Each --source is a local dataset folder (save_to_disk Dataset/DatasetDict folders, a copy of
a dataset repository with config folders, NeMo manifests) or a hub name: Jeli-style sets
(column bam; e.g. RobotsMali/bam-asr-early, or Jeli-ASR itself for its rows without French)
or kunkado-style sets (semi-label / corrected-label, chosen by --label). Only --splits are
read. Clips with the audio or the id of an utterance in --exclude_dirs (the ST sets) are
left out and counted. Stage 6 of the recipe then pretrains the "2x ASR data" model on
data/train + this set (lau_st.sh --asr_extra_sources ...). See docs/data.md.

Example:
    python -m espnet_lau.bin.prepare_asr_extra --source downloads/bam-asr-early \\
        --source downloads/kunkado --exclude_dirs data/train data/dev data/test \\
        --output_dir data/train_asr_extra --nj 4
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from espnet_lau.data.asr_extra import DEFAULT_LABEL, KUNKADO_LABELS, prepare_asr_extra
from espnet_lau.data.clips import add_clip_options
from espnet_lau.utils.cli import add_log_level_option, add_progress_option, parse_args, run_main


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", action="append", required=True,
                        help="a dataset folder or hub name; repeat for several corpora")
    parser.add_argument("--output_dir", default="data/train_asr_extra", help="the data dir to write (default: %(default)s)")
    parser.add_argument("--label", default=DEFAULT_LABEL, choices=list(KUNKADO_LABELS),
                        help="kunkado-style sets: which transcript column (default: %(default)s); "
                        "sets with a 'bam' column use it")
    parser.add_argument("--splits", nargs="+", default=["train"], help="source splits to read (default: %(default)s)")
    parser.add_argument("--exclude_dirs", nargs="*", default=[],
                        help="data dirs whose clips (same audio or id) are left out, e.g. data/train data/dev data/test")
    add_clip_options(parser)
    add_progress_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd, log_as="prepare_asr_extra")
    summary = prepare_asr_extra(
        args.source, args.output_dir, label=args.label, splits=args.splits, exclude_dirs=args.exclude_dirs,
        nj=args.nj, sample_rate=args.sample_rate, progress=args.progress, recording_regex=args.recording_regex,
    )
    print(f"{args.output_dir}: {len(summary.uttids)} utterances")


if __name__ == "__main__":
    run_main(main)
