"""OWSM's text files for fine-tuning, from a data directory of the ST recipe.

OWSM trains on three text files per data directory (``egs2/TEMPLATE/s2t1/README.md``):

* ``text``: the decoder target with its prompt, ``<src_lang><task><notimestamps> target``,
  e.g. ``<bam><st_fra><notimestamps> il va pleuvoir`` (no space between the symbols; the
  S2T preprocessor drops the leading ``▁`` the tokenizer puts before them);
* ``text.prev``: the previous sentence, here ``<na>`` (none);
* ``text.ctc``: the CTC target, the source transcript (or ``<na>``).

The teacher of LAU embeds the target file itself (``text.<case>.<lang>``), never ``text``:
the prompt symbols are not part of the translation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional

from espnet_lau.data.kaldi_table import read_table, write_table
from espnet_lau.utils.errors import UserError

NA = "<na>"
SYMBOL = re.compile(r"^<[A-Za-z0-9_.]+>$")


class PromptTextError(UserError, ValueError):
    """A symbol, or a source and target file that do not match."""


def check_symbol(option: str, symbol: str) -> str:
    if not SYMBOL.match(symbol):
        raise PromptTextError(f"{option} {symbol!r} is not a symbol like <bam> or <st_fra>")
    return symbol


def prompt_texts(target: Dict[str, str], source: Optional[Dict[str, str]], src_symbol: str,
                 task_symbol: str, notime_symbol: str = "<notimestamps>") -> Dict[str, Dict[str, str]]:
    """``{"text": ..., "text.prev": ..., "text.ctc": ...}`` tables for the utterances of ``target``.

    Args:
        target: utterance id -> translation.
        source: utterance id -> source transcript (the CTC target), or None for ``<na>``.
    """
    prefix = "".join(check_symbol(o, s) for o, s in (("--src_symbol", src_symbol), ("--task_symbol", task_symbol),
                                                     ("--notime_symbol", notime_symbol)))
    if source is not None and set(source) != set(target):
        missing = sorted(set(target) ^ set(source))
        raise PromptTextError(f"the source and target files hold other utterances (e.g. {', '.join(missing[:3])})")
    return {
        "text": {key: f"{prefix} {value}" for key, value in target.items()},
        "text.prev": {key: NA for key in target},
        "text.ctc": {key: (source[key] if source is not None else NA) for key in target},
    }


def write_prompt_texts(data_dir, target_file: str, source_file: Optional[str], src_symbol: str,
                       task_symbol: str) -> Dict[str, Path]:
    """Write ``text``, ``text.prev`` and ``text.ctc`` in ``data_dir`` from its
    ``target_file`` (and ``source_file``; None: ``text.ctc`` is ``<na>``)."""
    data_dir = Path(data_dir)
    target = read_table(data_dir / target_file)
    source = read_table(data_dir / source_file) if source_file else None
    written = {}
    for name, table in prompt_texts(target, source, src_symbol, task_symbol).items():
        write_table(data_dir / name, table)
        written[name] = data_dir / name
    return written
