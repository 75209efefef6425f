#!/usr/bin/env python3
"""Train a sentencepiece model on a Kaldi text file and write ESPnet's token list.

The token list is ``<blank>``, ``<unk>``, the pieces in model order, then ``<sos/eos>``,
the layout ESPnet's tokenizers and models expect.
"""

import argparse
import logging
import re
import tempfile
from pathlib import Path

import sentencepiece as spm

from espnet_lau.data.kaldi_table import read_table
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import write_text_atomic
from espnet_lau.utils.numbers import finite_float, positive_int

SPECIAL_PIECES = {"<unk>", "<s>", "</s>"}
#: sentencepiece's RuntimeError when the size is below characters + special pieces:
#: ``... Vocabulary size is smaller than required_chars. 10 vs 31. Increase vocab_size ...``
_TOO_SMALL = re.compile(r"Vocabulary size is smaller than required_chars\. \d+ vs (\d+)")


class BPEError(UserError, ValueError):
    """A text or a BPE size sentencepiece cannot train on."""


def _too_small_message(text: Path, vocab_size: int, error: RuntimeError) -> str:
    """One line for sentencepiece's error (a C++ assertion, with its source line)."""
    match = _TOO_SMALL.search(str(error))
    least = f"at least {match.group(1)} (its characters plus <unk>, <s>, </s>)" if match else "more"
    return (f"{text}: sentencepiece cannot train {vocab_size} pieces: a vocabulary must hold every "
            f"character of the text, which needs {least}: raise the BPE size (--src_nbpe / --tgt_nbpe)")


def train_bpe(text: Path, model_prefix: Path, vocab_size: int, model_type: str = "unigram",
              character_coverage: float = 1.0) -> Path:
    """Train sentencepiece on the sentences of a Kaldi ``text`` file.

    A ``vocab_size`` the text cannot fill gives fewer pieces, with a warning.

    Returns:
        the token list path ``<model_prefix dir>/tokens.txt``.

    Raises:
        BPEError: the text is empty, or ``vocab_size`` is below its number of characters.
    """
    text, model_prefix = Path(text), Path(model_prefix)
    sentences = [s for s in read_table(text, check_sorted=False).values() if s.strip()]
    if not sentences:
        raise BPEError(f"{text}: no sentence to train a BPE model on")
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
            raise BPEError(_too_small_message(text, vocab_size, e)) from e
    processor = spm.SentencePieceProcessor(model_file=f"{model_prefix}.model")
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    if len(pieces) < vocab_size:
        logging.warning(f"{text}: the text gives {len(pieces)} pieces, not the {vocab_size} asked "
                        f"(too little text for that BPE size); {model_prefix}.model has {len(pieces)}")
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
    parser.add_argument("--vocab_size", type=positive_int, required=True)
    parser.add_argument("--model_type", default="unigram", choices=["unigram", "bpe", "char", "word"])
    parser.add_argument("--character_coverage", type=finite_float(min=0, max=1, min_inclusive=False),
                        default=1.0)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    with user_errors("train_bpe"):
        train_bpe(args.text, args.model_prefix, args.vocab_size, args.model_type,
                  args.character_coverage)


if __name__ == "__main__":
    run_main(main)
