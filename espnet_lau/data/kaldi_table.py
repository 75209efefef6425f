"""Kaldi-style ``<key> <value>`` files (tables): ids, reading and writing one file.

Each line is ``<key> <value>``; a data directory's tables are sorted by key (C-locale
byte order, which is Python's code-point order for UTF-8 text). Every ``<key> <value>``
file, in a data directory and in the evaluation and embedding code, is read by
:func:`read_kaldi_file`, whose parameters carry each caller's policy (empty values, blank
lines, sort order, how many problems to report); :func:`read_table` is the strict policy
of a data directory. Writes go through :mod:`espnet_lau.utils.fileio`: atomic, and skipped
when the file already holds the same bytes. Keys are ids that name files, so
:func:`id_problem` refuses any that could be a path.

How the tables make up a data directory: :mod:`espnet_lau.data.datadir_check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Type

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import PathLike, write_text_atomic


class KaldiFileError(UserError, ValueError):
    """A malformed Kaldi-style ``<key> <value>`` file; the message names the file and line.

    The base class of every reader's error (:class:`KaldiDataDirError`,
    ``evaluation.kaldi_text.KaldiTextError``, ``teachers.targets.TextFileError``); the class
    given to :func:`read_kaldi_file` is the one it raises.
    """

    #: How a repeated key is worded (a subclass may keep the wording its callers expect).
    duplicate_key = "duplicate utterance id {key!r} (first seen on line {first})"

    @classmethod
    def from_problems(
        cls, path: PathLike, problems: Sequence[Tuple[int, str]], max_shown: int = 1
    ) -> "KaldiFileError":
        """One error for the ``(line number, problem)`` pairs found in ``path``.

        ``max_shown=1`` gives the first problem as ``<path>:<line>: <problem>``; more lists
        up to ``max_shown`` of them, each as ``<path>, line <n>: <problem>``, under a count.
        """
        if max_shown <= 1:
            lineno, problem = problems[0]
            return cls(f"{path}:{lineno}: {problem}")
        shown = [f"{path}, line {lineno}: {problem}" for lineno, problem in problems[:max_shown]]
        more = len(problems) - len(shown)
        return cls(
            f"{len(problems)} problem(s) in {path}:\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )


class KaldiDataDirError(KaldiFileError):
    """A data directory is malformed; the message names the file and the utterance."""


#: The longest id, in UTF-8 bytes: files are named after ids (``<uttid>.wav``, speed
#: perturbation's ``sp0.9-<uttid>.wav``, an atomic write's ``.<name>.<random>.tmp``), and
#: most file systems take names of at most 255 bytes.
MAX_ID_BYTES = 200


def id_problem(key: str) -> Optional[str]:
    """Why ``key`` cannot be an utterance or speaker id, or None.

    Ids are data, never paths: files are named after them (``<uttid>.wav``), so a ``/``,
    a ``\\``, a NUL or a leading ``.`` or ``-`` (``..``, an option-like name) is refused,
    and so is an id over :data:`MAX_ID_BYTES`.
    """
    if not key or any(c.isspace() for c in key):
        return f"invalid id {key!r} (empty or contains whitespace)"
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_ID_BYTES:
        return (f"invalid id {key[:24]!r}... ({size} bytes): ids name files, whose names take at most 255 "
                f"bytes with their prefixes and suffixes; shorten it to {MAX_ID_BYTES} bytes at most")
    bad = [c for c in ("/", "\\", "\0") if c in key]
    if bad or key[0] in ".-":
        what = f"contains {' and '.join(repr(c) for c in bad)}" if bad else f"starts with {key[0]!r}"
        return f"invalid id {key!r}: {what}; ids name files, rename it (letters, digits, _ - . inside)"
    return None


def _check_key(key: str, where: str) -> None:
    problem = id_problem(key)
    if problem:
        raise KaldiDataDirError(f"{where}: {problem}")


def file_for_id(folder: PathLike, name: str) -> Path:
    """``folder / name`` for a file named after an id, refusing any name that leaves ``folder``.

    The second guard behind :func:`id_problem` (validation runs on whole directories; a
    writer may meet an id first).

    Raises:
        KaldiDataDirError: ``name`` is not a plain file name inside ``folder``.
    """
    folder = Path(folder)
    path = folder / name
    if Path(name).name != name or name in (".", "..") or not path.resolve().is_relative_to(folder.resolve()):
        raise KaldiDataDirError(f"{name!r} would be written outside {folder}: ids must not contain paths")
    return path


def _check_value(value: str, key: str, where: str) -> None:
    if "\n" in value or "\r" in value:
        raise KaldiDataDirError(f"{where}: utterance {key!r}: value contains a line break")
    if not value.strip():
        raise KaldiDataDirError(f"{where}: utterance {key!r}: empty value")


def format_table(table: Mapping[str, str], where: str = "<table>") -> str:
    """Render ``{key: value}`` as sorted ``key value`` lines (validated)."""
    lines = []
    for key in sorted(table):
        value = str(table[key])
        _check_key(key, where)
        _check_value(value, key, where)
        lines.append(f"{key} {value}\n")
    return "".join(lines)


def write_table(path: PathLike, table: Mapping[str, str]) -> bool:
    """Write a sorted ``key value`` file atomically; returns whether it changed."""
    return write_text_atomic(path, format_table(table, where=str(path)))


class KaldiLine(NamedTuple):
    """One accepted line of a ``<key> <value>`` file."""

    key: str
    value: str  # surrounding whitespace removed; "" only with allow_empty_value
    lineno: int  # 1-based


def read_kaldi_file(
    path: PathLike,
    *,
    allow_empty_value: bool = False,
    skip_blank_lines: bool = False,
    check_sorted: bool = False,
    check: Optional[Callable[[KaldiLine], Optional[str]]] = None,
    error: Type[KaldiFileError] = KaldiFileError,
    max_shown: int = 1,
) -> List[KaldiLine]:
    """Read a Kaldi-style file of ``<key><whitespace><value>`` lines (UTF-8).

    Every line is checked before anything is returned. Always a problem: bytes that are not
    UTF-8 and a repeated key. A UTF-8 byte-order mark on the first line is ignored.

    Args:
        path: the file.
        allow_empty_value: accept a key without a value (its value is ``""``).
        skip_blank_lines: ignore blank lines instead of reporting them.
        check_sorted: report a key smaller than the one before (code-point order, i.e.
            C-locale byte order).
        check: called on each otherwise valid line; a returned string is reported as a
            problem of that line.
        error: the exception class to raise (its wording of a repeated key included).
        max_shown: how many problems the error lists; see
            :meth:`KaldiFileError.from_problems`.

    Returns:
        the lines in file order.

    Raises:
        FileNotFoundError: the file does not exist.
        KaldiFileError: (``error``) naming the file and the line of each problem.
    """
    lines: List[KaldiLine] = []
    problems: List[Tuple[int, str]] = []
    first_line: Dict[str, int] = {}
    previous: Optional[str] = None
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                problems.append((lineno, f"not valid UTF-8 (byte {raw[e.start]:#04x} at column {e.start + 1})"))
                continue
            if lineno == 1:
                text = text.lstrip("\ufeff")
            fields = text.split(maxsplit=1)
            if not fields:
                if not skip_blank_lines:
                    problems.append((lineno, "blank line (expected 'uttid text')"))
                continue
            key = fields[0]
            value = fields[1].rstrip() if len(fields) > 1 else ""
            bad_id = id_problem(key)
            if bad_id:
                problems.append((lineno, bad_id))
                continue
            if not value and not allow_empty_value:
                problems.append((lineno, f"utterance {key!r} has no text (expected 'uttid text')"))
                continue
            if key in first_line:
                problems.append((lineno, error.duplicate_key.format(key=key, first=first_line[key])))
                continue
            first_line[key] = lineno
            if check_sorted and previous is not None and key < previous:
                problems.append((lineno, f"utterance {key!r}: not sorted (comes after {previous!r})"))
                continue
            previous = key
            line = KaldiLine(key, value, lineno)
            problem = check(line) if check is not None else None
            if problem:
                problems.append((lineno, problem))
                continue
            lines.append(line)
    if problems:
        raise error.from_problems(path, problems, max_shown)
    return lines


def read_table(path: PathLike, check_sorted: bool = True) -> Dict[str, str]:
    """Read a data-directory table: no blank line, no empty value, no duplicate key and
    (unless ``check_sorted=False``) sorted keys.

    Raises:
        KaldiDataDirError: naming the file, the line and the key at fault.
    """
    lines = read_kaldi_file(path, check_sorted=check_sorted, error=KaldiDataDirError)
    return {line.key: line.value for line in lines}


def some_ids(ids: Sequence[str], shown: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 7 more``: the ids a message names."""
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more
