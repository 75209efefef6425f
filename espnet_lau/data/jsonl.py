"""JSON-lines files: one JSON value per line, read with errors that name the file and line.

:func:`iter_json_lines` is the one reader (under :func:`read_jsonl`, the QA items of the
semantic evaluation and the NeMo manifests); :func:`format_jsonl` the one writer (a data
directory's ``qa.jsonl``, the QA details of the semantic evaluation).

The schema of ``qa.jsonl`` lives here too, its only JSON-lines table: a side file of a
data directory, one JSON object per utterance of ``wav.scp``, ``{"id": <uttid>,
"question": <non-empty string>, "answers": [<non-empty string>, ...]}``
(:func:`validate_qa` checks it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Mapping, Tuple

from espnet_lau.data.kaldi_table import KaldiDataDirError
from espnet_lau.utils.fileio import PathLike


def iter_json_lines(
    path: PathLike, error: Callable[[str, json.JSONDecodeError], Exception]
) -> Iterator[Tuple[str, Any]]:
    """``(where, value)`` for each non-blank line of a JSON-lines file, ``where`` being
    ``<path>:<line>``; a line that is not JSON raises ``error(where, exc)``."""
    with Path(path).open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                raise error(where, e) from e
            yield where, value


def read_jsonl(path: PathLike) -> List[dict]:
    """Read a JSON-lines file; errors name the file and line."""
    return [value for _, value in iter_json_lines(
        path, lambda where, e: KaldiDataDirError(f"{where}: invalid JSON ({e})"))]


def format_jsonl(records: Iterable[Mapping]) -> str:
    """One compact JSON object per line, non-ASCII kept readable."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def validate_qa(path: Path, uttids: set) -> None:
    """Check that ``path`` has one valid record per uttid of ``uttids`` and no other.

    Raises:
        KaldiDataDirError: naming the file and the first utterance at fault.
    """
    seen = set()
    for record in read_jsonl(path):
        utt = record.get("id") if isinstance(record, dict) else None
        if utt not in uttids:
            raise KaldiDataDirError(f"{path}: utterance {utt!r} is not in wav.scp")
        if utt in seen:
            raise KaldiDataDirError(f"{path}: utterance {utt!r}: duplicate record")
        seen.add(utt)
        answers = record.get("answers")
        if not isinstance(record.get("question"), str) or not record["question"].strip():
            raise KaldiDataDirError(f"{path}: utterance {utt!r}: missing question")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a for a in answers):
            raise KaldiDataDirError(f"{path}: utterance {utt!r}: answers must be a non-empty list of strings")
    missing = sorted(uttids - seen)
    if missing:
        raise KaldiDataDirError(f"{path}: utterance {missing[0]!r} has no record ({len(missing)} missing)")

