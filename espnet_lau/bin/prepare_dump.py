#!/usr/bin/env python3
"""Recipe stages 3-4: format audio and targets into dump/, then filter by length, then
check that the sets share no utterance.

    python -m espnet_lau.bin.prepare_dump format --src data/train --dst dump/raw/org/train
    python -m espnet_lau.bin.prepare_dump filter --src dump/raw/org/train --dst dump/raw/train \
        --min_duration 0.5 --max_duration 20
    python -m espnet_lau.bin.prepare_dump disjoint dump/raw/train dump/raw/dev dump/raw/test
"""

import argparse
import logging
from typing import NamedTuple

from espnet_lau.data.datadir_check import check_disjoint_sets
from espnet_lau.data.dump import CASES, filter_data_dir, format_data_dir
from espnet_lau.data.kaldi_table import KaldiFileError
from espnet_lau.text.bambara import MODES, BambaraNormalizer
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.numbers import finite_float, positive_float, positive_int

#: The texts stage 3 makes by default: the Bambara transcript as written, the French
#: translation lower-cased without punctuation.
DEFAULT_LANGS = ("bam:tc", "fr:lc.rm")


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_log_level_option(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    fmt = sub.add_parser("format", help="16 kHz mono audio, normalised targets, utt2num_samples",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    fmt.add_argument("--src", required=True, help="Kaldi data dir, e.g. data/train")
    fmt.add_argument("--dst", required=True, help="e.g. dump/raw/org/train")
    fmt.add_argument("--sample_rate", type=positive_int, default=16000)
    fmt.add_argument("--nj", type=positive_int, default=1, help="parallel audio conversions")
    # argparse passes a string default through type=, not a list one: parse it here
    fmt.add_argument("--langs", nargs="*", default=[lang_case(v) for v in DEFAULT_LANGS], type=lang_case,
                     help="LANG:CASE pairs: the text.<case>.<lang> files to make (cases "
                     "tc, lc, lc.rm = lower-case without punctuation, apostrophes and "
                     "hyphens kept, as the paper's references)")
    fmt.add_argument("--bambara_norm", default="expand", choices=MODES,
                     help="orthographic normalisation of the Bambara texts (bambara-text-normalizer "
                     "contraction mode; none = as written), before the case")
    fmt.add_argument("--bambara_lang", default="bam", help="the language id of the Bambara texts")
    flt = sub.add_parser("filter", help="drop utterances by duration and target length",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    flt.add_argument("--src", required=True, help="formatted dir, e.g. dump/raw/org/train")
    flt.add_argument("--dst", required=True, help="e.g. dump/raw/train")
    flt.add_argument("--min_duration", type=finite_float(min=0), default=0.1, help="seconds")
    flt.add_argument("--max_duration", type=positive_float, default=20.0,
                     help="seconds, above --min_duration (Jeli-ASR has clips over 30 s)")
    flt.add_argument("--max_target_chars", type=positive_int, default=400)
    flt.add_argument("--warn_above", type=positive_float, default=None,
                     help="seconds: name the utterances kept that are longer (the recipe passes "
                     "--max_wav_duration for the test sets, which it keeps whole)")
    flt.add_argument("--sample_rate", type=positive_int, default=16000)
    flt.add_argument("--target_file", default="text.lc.rm.fr",
                     help="the training target whose length is checked")
    dis = sub.add_parser("disjoint", help="refuse sets that share an utterance id or a recording")
    dis.add_argument("dirs", nargs="+", help="data dirs, e.g. dump/raw/train dump/raw/dev dump/raw/test")
    return parser


class LangCase(NamedTuple):
    """A ``--langs`` item, ``("fr", "lc.rm")``; shown as it is written, ``fr:lc.rm``."""

    lang: str
    case: str

    def __repr__(self) -> str:
        return f"{self.lang}:{self.case}"


def lang_case(value: str) -> LangCase:
    """The argparse type of ``--langs``: ``LANG:CASE`` with CASE one of :data:`CASES`."""
    lang, sep, case = value.partition(":")
    if not sep or case not in CASES or not lang:
        raise argparse.ArgumentTypeError(f"{value!r} is not LANG:CASE with CASE in {', '.join(CASES)}")
    return LangCase(lang, case)


def main(cmd=None):
    parser = get_parser()
    args = parse_args(parser, cmd)
    if args.command == "filter" and args.min_duration >= args.max_duration:
        parser.error(f"--min_duration {args.min_duration:g} must be below --max_duration "
                     f"{args.max_duration:g}: every utterance would be dropped")
    with user_errors(f"prepare_dump {args.command}", KaldiFileError):  # a user's data, not a bug
        if args.command == "disjoint":
            check_disjoint_sets(args.dirs)
            logging.info(f"disjoint: {' '.join(args.dirs)} share no utterance id and no recording")
            return
        if args.command == "format":
            orthography = {args.bambara_lang: BambaraNormalizer(args.bambara_norm, "text")}
            n = format_data_dir(args.src, args.dst, args.langs, args.sample_rate, args.nj, orthography)
        else:
            n = filter_data_dir(args.src, args.dst, args.min_duration, args.max_duration,
                                args.max_target_chars, args.sample_rate, args.target_file, args.warn_above)
    logging.info(f"{args.command}: {args.dst} has {n} utterances")


if __name__ == "__main__":
    run_main(main)
