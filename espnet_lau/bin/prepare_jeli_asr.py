#!/usr/bin/env python3
"""Prepare Jeli-ASR (RobotsMali/jeli-asr) as Kaldi data dirs: <output_dir>/{train,dev,test}/.

--source is a local copy of the dataset repository (config folders bam-asr-oza/ and
jeli-asr-rmai/ with train/ and test/ save_to_disk folders), one DatasetDict save_to_disk
folder, the NeMo manifests of release 1.0.0 (manifests/, french-manifests/, audios/), or a
hub name (needs network). Ids are the clips' file names; dev is carved from train by
recording (from the file name, --recording_regex): the recordings with
int(sha1(recording), 16) % 1000 < --dev_permille. Rows without French (or Bambara) are
dropped and counted. Audio goes to <output_dir>/wav/<set>/<uttid>.wav, 16 kHz mono 16-bit.
See docs/data.md.

Example:
    python -m espnet_lau.bin.prepare_jeli_asr --source downloads/jeli-asr --output_dir data --nj 4
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from espnet_lau.data.clips import add_clip_options
from espnet_lau.data.jeli_asr import (
    DEFAULT_DEV_PERMILLE,
    DEFAULT_HUB_NAME,
    JELI_SUBSETS,
    prepare_jeli_asr,
)
from espnet_lau.utils.cli import add_log_level_option, add_progress_option, parse_args, run_main, user_errors
from espnet_lau.utils.numbers import bounded_int


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--source", default=DEFAULT_HUB_NAME,
        help="local Jeli-ASR folder or hub name (default: %(default)s)",
    )
    parser.add_argument(
        "--subset", default="jeli-asr", choices=JELI_SUBSETS,
        help="jeli-asr = bam-asr-oza + jeli-asr-rmai (default: %(default)s)",
    )
    parser.add_argument("--output_dir", default="data", help="data root (default: %(default)s)")
    parser.add_argument(
        "--dev_permille", type=bounded_int(0, 1000), default=DEFAULT_DEV_PERMILLE,
        help="per mille of the training recordings moved to dev by the sha1(recording) rule (default: %(default)s)",
    )
    add_clip_options(parser)
    add_progress_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd, log_as="prepare_jeli_asr")
    with user_errors("prepare_jeli_asr"):
        summaries = prepare_jeli_asr(
            args.source,
            args.output_dir,
            subset=args.subset,
            dev_permille=args.dev_permille,
            nj=args.nj,
            sample_rate=args.sample_rate,
            progress=args.progress,
            recording_regex=args.recording_regex,
        )
    for name, summary in summaries.items():
        print(f"{args.output_dir}/{name}: {len(summary.uttids)} utterances")


if __name__ == "__main__":
    run_main(main)
