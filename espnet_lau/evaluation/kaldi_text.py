"""Kaldi-style ``uttid text`` files: reading with located errors, and id matching.

A line is ``<uttid><whitespace><text>``; the text may be empty (an empty hypothesis is a
legal system output). Blank lines are ignored. A duplicated utterance id is an error that
names the file and both line numbers. The reading itself is
:func:`espnet_lau.data.kaldi_table.read_kaldi_file` with this tolerant policy.
"""

from __future__ import annotations

import logging
from typing import Dict, Iterable, List, Mapping, Sequence

from espnet_lau.data.kaldi_table import KaldiFileError, read_kaldi_file
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import PathLike

#: How many ids an id-mismatch error lists before it only gives counts.
MAX_IDS_SHOWN = 10


class KaldiTextError(KaldiFileError):
    """A malformed Kaldi text file; the message carries ``file:line``."""

    duplicate_key = "duplicated utterance id {key!r} (first seen on line {first})"


class IdMismatchError(UserError, ValueError):
    """Two files that must cover the same utterances do not.

    Attributes:
        missing: ids of the reference side absent from the checked side.
        extra: ids of the checked side absent from the reference side.
    """

    def __init__(self, message: str, missing: Sequence[str], extra: Sequence[str]):
        super().__init__(message)
        self.missing = list(missing)
        self.extra = list(extra)


def read_kaldi_text(path: PathLike) -> Dict[str, str]:
    """Read a Kaldi ``uttid text`` file.

    Args:
        path: the file (UTF-8).

    Returns:
        ``{uttid: text}`` in file order; the text has its surrounding whitespace
        stripped and may be ``""``.

    Raises:
        FileNotFoundError: the file does not exist.
        KaldiTextError: a duplicated id or undecodable bytes, with ``file:line``.
    """
    lines = read_kaldi_file(path, allow_empty_value=True, skip_blank_lines=True, error=KaldiTextError)
    out = {line.key: line.value for line in lines}
    logging.debug("Read %d utterances from %s", len(out), path)
    return out


def format_id_list(ids: Sequence[str], max_shown: int = MAX_IDS_SHOWN) -> str:
    """``"3 ids: a, b, c"``, or the first ``max_shown`` ids and ``"... (+N more)"``."""
    shown = ", ".join(ids[:max_shown])
    more = f", ... (+{len(ids) - max_shown} more)" if len(ids) > max_shown else ""
    return f"{len(ids)} id{'s' if len(ids) != 1 else ''}: {shown}{more}"


def check_same_ids(
    reference: Mapping[str, object],
    other: Mapping[str, object],
    reference_name: str,
    other_name: str,
    max_shown: int = MAX_IDS_SHOWN,
) -> List[str]:
    """Check that two id-keyed mappings cover exactly the same utterances.

    Args:
        reference: the side whose order is kept (usually the reference text).
        other: the side checked against it (e.g. the hypothesis).
        reference_name: shown in the error (e.g. the file path).
        other_name: shown in the error.

    Returns:
        The ids in ``reference`` order.

    Raises:
        IdMismatchError: listing the first ``max_shown`` missing and extra ids and
            their counts. Nothing is ever dropped silently.
    """
    missing = [u for u in reference if u not in other]
    extra = [u for u in other if u not in reference]
    if missing or extra:
        lines = [f"utterance ids of {other_name} do not match {reference_name}:"]
        if missing:
            lines.append(f"  missing from {other_name}: {format_id_list(missing, max_shown)}")
        if extra:
            lines.append(f"  extra in {other_name}: {format_id_list(extra, max_shown)}")
        raise IdMismatchError("\n".join(lines), missing, extra)
    return list(reference)


def check_subset_ids(
    ids: Iterable[str],
    universe: Mapping[str, object],
    ids_name: str,
    universe_name: str,
    max_shown: int = MAX_IDS_SHOWN,
) -> None:
    """Check that every id of ``ids`` exists in ``universe`` (e.g. QA items vs outputs).

    Raises:
        IdMismatchError: listing the unknown ids.
    """
    unknown = sorted({u for u in ids if u not in universe})
    if unknown:
        raise IdMismatchError(
            f"{ids_name} names utterances absent from {universe_name}: "
            f"{format_id_list(unknown, max_shown)}",
            missing=[],
            extra=unknown,
        )
