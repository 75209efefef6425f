"""The ``utt2slots`` table: per utterance, the French renderings of each slot value it means.

A Kaldi table (:mod:`espnet_lau.data.kaldi_table`) of the mini corpus's data directories,
one line per utterance, ``<uttid> <JSON object>``: each slot of the utterance's meaning
mapped to the French forms that render its value in a translation, e.g.::

    spk01-mini0001 {"subj":["Moussa"],"good":["riz","le riz","du riz","de riz"]}

The mini corpus writes it from its grammar (:meth:`espnet_lau.data.mini.grammar.Meaning.slot_renderings`);
slot recall (:mod:`espnet_lau.evaluation.slot_recall`) reads it, so that scoring needs the
data directory only, never the generator. The dump stages carry it like any other table.
"""

from __future__ import annotations

import json
from typing import Dict, List, Mapping, Optional, Sequence

from espnet_lau.data.kaldi_table import KaldiDataDirError, KaldiLine, read_kaldi_file
from espnet_lau.utils.fileio import PathLike

#: The file name of the table in a data directory.
SLOTS_FILE = "utt2slots"

#: One utterance's slots: ``{slot name: [French renderings of its value]}``.
Slots = Dict[str, List[str]]


def format_slots(slots: Mapping[str, Sequence[str]]) -> str:
    """The ``utt2slots`` value of one utterance: a compact JSON object on one line, in slot
    order, non-ASCII kept readable."""
    return json.dumps({slot: list(forms) for slot, forms in slots.items()}, ensure_ascii=False, separators=(",", ":"))


def parse_slots(value: str) -> Slots:
    """The slots of one ``utt2slots`` value.

    Raises:
        ValueError: not a JSON object of non-empty lists of non-empty strings (the message
            says which).
    """
    try:
        slots = json.loads(value)
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg} at column {e.pos + 1})") from None
    if not isinstance(slots, dict) or not slots:
        raise ValueError('expected a JSON object of slots, e.g. {"good":["riz","du riz"]}')
    for slot, forms in slots.items():
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f.strip() for f in forms):
            raise ValueError(f"slot {slot!r}: expected a non-empty list of non-empty strings")
    return slots


def read_slots(path: PathLike) -> Dict[str, Slots]:
    """Read an ``utt2slots`` file: ``{uttid: {slot: [renderings]}}``.

    Raises:
        KaldiDataDirError: naming the file, the line and the utterance at fault.
    """
    parsed: Dict[str, Slots] = {}

    def check(line: KaldiLine) -> Optional[str]:
        try:
            parsed[line.key] = parse_slots(line.value)
        except ValueError as e:
            return f"utterance {line.key!r}: {e}"
        return None

    read_kaldi_file(path, check=check, error=KaldiDataDirError)
    return parsed
