"""A new language token for an OWSM checkpoint that has none for the language (``<bam>``).

OWSM v3/v3.1/v4 have no Bambara symbol. As espnet PR #6507 does for OWSM v4, the token is
appended at the end of the token list (no existing id moves, so the timestamps stay
contiguous), and every vocabulary-sized weight gets one new row: the decoder embedding
(V, D), the decoder output layer (V, D) and (V,), and the CTC output layer. The new row
is a copy of a chosen existing language's row, or the mean of all language rows. The
symbol is also added to the sentencepiece model as a user-defined piece, so that
``<bam><st_fra><notimestamps> …`` tokenizes into the symbol, as OWSM's own do.

Or, by option, an existing language symbol is reused for the language (no new token).

The result is a new folder (``config.yaml``, ``model.pth``, ``bpe.model``,
``feats_stats.npz``, ``tokens.txt``, ``token_extension.json`` last); the input folder is
never written. The weights are read by :func:`espnet_lau.utils.checkpoint.load_state_dict`
(weights only unless ``trust_pickle``).
"""

from __future__ import annotations

import argparse
import copy
import logging
import re
import shutil
from pathlib import Path
from typing import Dict, List, Optional

import torch
import yaml
from sentencepiece import sentencepiece_model_pb2

from espnet_lau.owsm.checkpoint_dir import OWSMCheckpoint
from espnet_lau.utils.checkpoint import load_state_dict
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import (
    atomic_write,
    file_sha256,
    replace_dir,
    staged_dir,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)

RECORD = "token_extension.json"
#: the modules whose first dimension is the vocabulary (decoder input and output, CTC output)
VOCAB_PREFIXES = ("decoder.embed.", "decoder.output_layer.", "ctc.ctc_lo.")
SYMBOL = re.compile(r"^<[A-Za-z0-9_]+>$")


class TokenExtensionError(UserError, ValueError):
    """The new symbol, its initialisation or the output folder cannot be used."""


def language_symbols(token_list: List[str]) -> List[str]:
    """OWSM's language symbols: those between ``<nolang>`` and ``<asr>``."""
    if "<nolang>" not in token_list or "<asr>" not in token_list:
        raise TokenExtensionError("the token list has no <nolang> ... <asr> block: not an OWSM token list")
    symbols = token_list[token_list.index("<nolang>") + 1:token_list.index("<asr>")]
    if not symbols:
        raise TokenExtensionError("the token list has no language symbol between <nolang> and <asr>")
    return symbols


def vocabulary_keys(state: Dict[str, torch.Tensor], vocab_size: int) -> List[str]:
    """The tensors with one row per token: decoder embedding, output layer, CTC output."""
    keys = [k for k, v in state.items() if k.startswith(VOCAB_PREFIXES) and v.dim() >= 1 and v.shape[0] == vocab_size]
    for needed in ("decoder.embed.", "decoder.output_layer."):
        if not any(k.startswith(needed) for k in keys):
            raise TokenExtensionError(
                f"no {needed}* tensor with {vocab_size} rows (the token list's size): the weights and "
                "the token list are not of the same model"
            )
    return keys


def append_rows(state: Dict[str, torch.Tensor], keys: List[str], source_rows: List[int]) -> Dict[str, torch.Tensor]:
    """``state`` with one row appended to each of ``keys``: the mean of ``source_rows``."""
    out = dict(state)
    for key in keys:
        tensor = state[key]
        row = tensor[source_rows].float().mean(dim=0, keepdim=True).to(tensor.dtype)
        out[key] = torch.cat([tensor, row], dim=0)
    return out


def add_user_symbol(bpe_bytes: bytes, symbol: str) -> bytes:
    """The sentencepiece model with ``symbol`` added as a user-defined piece."""
    model = sentencepiece_model_pb2.ModelProto()
    model.ParseFromString(bpe_bytes)
    if any(piece.piece == symbol for piece in model.pieces):
        raise TokenExtensionError(f"the sentencepiece model already has {symbol}")
    piece = model.pieces.add()
    piece.piece, piece.score = symbol, 0.0
    piece.type = sentencepiece_model_pb2.ModelProto.SentencePiece.USER_DEFINED
    return model.SerializeToString()


def check_output_dir(outdir: Path, ckpt: OWSMCheckpoint) -> None:
    """Refuse an output folder inside the input, or a non-empty one this tool did not make."""
    out = outdir.resolve()
    if out == ckpt.root or ckpt.root in out.parents or out in ckpt.root.parents:
        raise TokenExtensionError(f"--outdir {outdir} overlaps the checkpoint folder {ckpt.root}: give a folder outside it")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / RECORD).is_file():
        raise TokenExtensionError(
            f"{outdir} is not empty and holds no {RECORD}: it was not made by extend_tokens; give a new --outdir")


def extend_checkpoint(ckpt: OWSMCheckpoint, outdir, symbol: str, init: str = "mean",
                      reuse: bool = False, trust_pickle: bool = False, verify: bool = True) -> dict:
    """Write the checkpoint with the language ``symbol`` to ``outdir``; returns the record.

    Args:
        ckpt: the input checkpoint (:func:`espnet_lau.owsm.checkpoint_dir.locate_checkpoint`).
        symbol: e.g. ``<bam>``; with ``reuse``, an existing language symbol to stand for it.
        init: ``mean`` (of all language rows) or an existing language symbol to copy.
        verify: build the stock ``ESPnetS2TModel`` from the new config and load the new
            weights strictly (memory: one more copy of the model).

    Raises:
        TokenExtensionError: a bad symbol or init, an output folder that is not ours.
    """
    outdir = Path(outdir)
    if not SYMBOL.match(symbol):
        raise TokenExtensionError(f"{symbol!r} is not a symbol like <bam>")
    check_output_dir(outdir, ckpt)
    tokens = list(ckpt.token_list)
    languages = language_symbols(tokens)
    state = load_state_dict(ckpt.model_file, trust_pickle=trust_pickle)
    bpe = ckpt.bpemodel.read_bytes()
    record = {"language_symbol": symbol, "source": str(ckpt.root), "source_model": str(ckpt.model_file),
              "source_sha256": file_sha256(ckpt.model_file), "vocab_size_before": len(tokens)}
    if reuse:
        if symbol not in languages:
            raise TokenExtensionError(f"--reuse_symbol {symbol} is not a language symbol of the checkpoint "
                                      f"({', '.join(languages[:8])}, ...)")
        record.update(mode="reuse", extended_tensors=[])
    else:
        if symbol in tokens:
            raise TokenExtensionError(f"{symbol} is already in the token list: reuse it (--reuse_symbol {symbol})")
        if init != "mean" and init not in languages:
            raise TokenExtensionError(f"--init {init}: use mean or a language symbol of the checkpoint "
                                      f"({', '.join(languages[:8])}, ...)")
        sources = languages if init == "mean" else [init]
        keys = vocabulary_keys(state, len(tokens))
        state = append_rows(state, keys, [tokens.index(s) for s in sources])
        bpe = add_user_symbol(bpe, symbol)
        tokens.append(symbol)
        record.update(mode="append", init=init, extended_tensors=keys)
    record["vocab_size"] = len(tokens)

    with staged_dir(outdir) as new:
        config = copy.deepcopy(ckpt.config)
        config.update(token_list=tokens, bpemodel=str(outdir.resolve() / "bpe.model"))
        config["normalize_conf"] = {**(config.get("normalize_conf") or {}),
                                    "stats_file": str(outdir.resolve() / "feats_stats.npz")}
        write_bytes_atomic(new / "bpe.model", bpe)
        shutil.copyfile(ckpt.stats_file, new / "feats_stats.npz")
        write_text_atomic(new / "tokens.txt", "\n".join(tokens) + "\n")
        write_text_atomic(new / "config.yaml", yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        atomic_write(new / "model.pth", lambda f: torch.save(state, f))
        if verify:
            verify_load(config, state, new / "feats_stats.npz")
        write_json_atomic(new / RECORD, record, sort_keys=False)
        replace_dir(new, outdir)
    logging.info(f"{outdir}: language symbol {symbol} ({record['mode']}), vocabulary "
                 f"{record['vocab_size_before']} -> {record['vocab_size']}")
    return record


def verify_load(config: dict, state: Dict[str, torch.Tensor], stats_file: Optional[Path] = None) -> None:
    """The stock ``ESPnetS2TModel`` of ``config`` loads ``state`` strictly."""
    from espnet2.tasks.s2t import S2TTask

    conf = copy.deepcopy(config)
    if stats_file is not None and conf.get("normalize") == "global_mvn":
        conf["normalize_conf"] = {**conf["normalize_conf"], "stats_file": str(stats_file)}
    model = S2TTask.build_model(argparse.Namespace(**conf))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise TokenExtensionError(f"the extended weights do not load into the model of the config: {exc}") from None
