#!/usr/bin/env python3
"""Generate the SYNTHETIC Bambara→French mini corpus (espeak-ng speech) as Kaldi data dirs.

Writes <output_dir>/{train,dev,test}/ (and train_asr_extra/ with --asr_extra_utts N),
<output_dir>/wav/<set>/<uttid>.wav (16 kHz mono) and <output_dir>/README.txt.
Deterministic by --seed; a re-run leaves up-to-date files untouched. See docs/data.md.

Example:
    python -m espnet_lau.bin.prepare_mini_corpus --output_dir data --size tiny --nj 2
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from espnet2.utils.types import int_or_none, str2bool

from espnet_lau.data.mini import MiniCorpusConfig, prepare_mini_corpus
from espnet_lau.data.mini.config import SIZES
from espnet_lau.data.mini.grammar import MAX_PARAPHRASES, NUM_PARAPHRASES
from espnet_lau.utils.cli import add_log_level_option, add_progress_option, parse_args, run_main
from espnet_lau.utils.numbers import bounded_int, finite_float, non_negative_int, positive_int

#: a share of the utterances, in [0, 1]
SHARE = finite_float(min=0, max=1)


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output_dir", default="data", help="data root (default: %(default)s)")
    parser.add_argument(
        "--size", default="default", choices=sorted(SIZES),
        help="tiny: 60/12/12 utt. for CI; default: 1600/150/150 utt. (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--noise_rate", type=SHARE, default=0.15,
        help="share of training targets corrupted by a dropped or swapped word (default: %(default)s)",
    )
    parser.add_argument(
        "--paraphrases", type=bounded_int(1, MAX_PARAPHRASES), default=NUM_PARAPHRASES,
        help=f"training targets are drawn from the first N paraphrases of their meaning "
        f"(1-{MAX_PARAPHRASES}): 1-{NUM_PARAPHRASES} careful ones, more adds loose, free "
        "translations (target variance) (default: %(default)s)",
    )
    parser.add_argument(
        "--label_noise", type=SHARE, default=0.0,
        help="share of training targets corrupted in meaning: wrong_slot, dropped_clause or "
        "other_utterance, logged in utt2noise and utt2target_meaning (default: %(default)s)",
    )
    parser.add_argument(
        "--source_variants", type=str2bool, default=False,
        help="vary the Bambara side: a discourse particle, or the time word fronted "
        "(utt2source_variant) (default: %(default)s)",
    )
    parser.add_argument(
        "--heldout_rate", type=finite_float(min=0, max=1, max_inclusive=False), default=0.15,
        help="share of slot combinations never seen in train (default: %(default)s)",
    )
    parser.add_argument(
        "--asr_extra_utts", type=non_negative_int, default=0,
        help="number of extra ASR-only utterances in train_asr_extra/ (default: %(default)s)",
    )
    for name in ("train", "dev", "test"):
        parser.add_argument(
            f"--num_{name}", type=int_or_none, default=None,
            help=f"override the number of {name} utterances of --size",
        )
    parser.add_argument("--nj", type=positive_int, default=1, help="parallel espeak-ng/sox jobs (default: %(default)s)")
    add_progress_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd, log_as="prepare_mini_corpus")
    config = MiniCorpusConfig(
        seed=args.seed,
        size=args.size,
        noise_rate=args.noise_rate,
        heldout_rate=args.heldout_rate,
        asr_extra_utts=args.asr_extra_utts,
        paraphrases=args.paraphrases,
        label_noise=args.label_noise,
        source_variants=args.source_variants,
        num_train=args.num_train,
        num_dev=args.num_dev,
        num_test=args.num_test,
    )
    summaries = prepare_mini_corpus(args.output_dir, config, nj=args.nj, progress=args.progress)
    for name, summary in summaries.items():
        print(f"{args.output_dir}/{name}: {len(summary.uttids)} utterances, {len(summary.speakers)} speakers (SYNTHETIC)")


if __name__ == "__main__":
    run_main(main)
