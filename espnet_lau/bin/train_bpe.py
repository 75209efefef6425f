#!/usr/bin/env python3
"""Train a sentencepiece model on a Kaldi text file and write ESPnet's token list.

The token list is ``<blank>``, ``<unk>``, the pieces in model order, then ``<sos/eos>``,
the layout ESPnet's tokenizers and models expect.
"""

import argparse
import logging
import tempfile
from pathlib import Path

import sentencepiece as spm

from espnet_lau.cli import add_log_level_option, parse_args, run_main
from espnet_lau.data.kaldi_table import read_table
from espnet_lau.fileio import write_text_atomic

SPECIAL_PIECES = {"<unk>", "<s>", "</s>"}


def train_bpe(text: Path, model_prefix: Path, vocab_size: int, model_type: str = "unigram",
              character_coverage: float = 1.0) -> Path:
    """Train sentencepiece on the sentences of a Kaldi ``text`` file.

    Returns:
        the token list path ``<model_prefix dir>/tokens.txt``.
    """
    sentences = [s for s in read_table(text, check_sorted=False).values() if s.strip()]
    if not sentences:
        raise ValueError(f"{text}: no sentence to train a BPE model on")
    model_prefix.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as corpus:
        corpus.write("\n".join(sentences) + "\n")
        corpus.flush()
        try:
            spm.SentencePieceTrainer.train(
                input=corpus.name,
                model_prefix=str(model_prefix),
                vocab_size=vocab_size,
                model_type=model_type,
                character_coverage=character_coverage,
                input_sentence_size=100_000_000,
                hard_vocab_limit=False,  # a tiny corpus may not support vocab_size pieces
                minloglevel=2,
            )
        except RuntimeError as e:
            raise ValueError(
                f"{text}: sentencepiece cannot train {vocab_size} pieces ({e}); a vocabulary "
                "must hold at least every character of the text: raise the BPE size "
                "(--src_nbpe / --tgt_nbpe)"
            ) from e
    processor = spm.SentencePieceProcessor(model_file=f"{model_prefix}.model")
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    tokens = ["<blank>", "<unk>"] + [p for p in pieces if p not in SPECIAL_PIECES] + ["<sos/eos>"]
    token_list = model_prefix.parent / "tokens.txt"
    write_text_atomic(token_list, "\n".join(tokens) + "\n")
    logging.info(f"{model_prefix}.model: {len(tokens)} tokens -> {token_list}")
    return token_list


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--text", type=Path, required=True, help="Kaldi text file (uttid sentence)")
    parser.add_argument("--model_prefix", type=Path, required=True,
                        help="e.g. data/token_list/tgt_bpe_unigram100/bpe")
    parser.add_argument("--vocab_size", type=int, required=True)
    parser.add_argument("--model_type", default="unigram", choices=["unigram", "bpe", "char", "word"])
    parser.add_argument("--character_coverage", type=float, default=1.0)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    train_bpe(args.text, args.model_prefix, args.vocab_size, args.model_type,
              args.character_coverage)


if __name__ == "__main__":
    run_main(main)
