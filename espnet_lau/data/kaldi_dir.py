"""Kaldi-style data directories: writing, reading and validating them.

A data directory holds one utterance per line in every *utterance file* (``wav.scp``,
``text``, ``text.bam``, ``utt2spk``, ``utt2dur``, ``topic``, …), each line being
``<uttid> <value>`` and each file sorted by uttid (C-locale byte order, which is Python's
code-point order for UTF-8 text). *Speaker files* (``spk2utt``, ``spk2gender``) are keyed by
speaker. A few *side files* are not line-per-key tables: ``qa.jsonl`` (one JSON object per
utterance, keyed by ``"id"``), ``corpus.json`` (a description of the set) and ``README.txt``.

Every write goes through :mod:`espnet_lau.fileio`: atomic, and skipped when the file
already holds the same bytes, so that re-running a data preparation leaves the directory
(and the modification times) untouched; a whole data directory is validated before it
replaces the previous one. Every ``<key> <value>`` file, here and in the
evaluation and embedding code, is read by :func:`read_kaldi_file`, whose parameters carry
each caller's policy (empty values, blank lines, sort order, how many problems to report).

:class:`WavManifest` records, for a folder of generated wav files, a key describing how
each file was made; a preparation step skips a file whose key has not changed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path
from typing import (
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
)

from espnet_lau.errors import UserError
from espnet_lau.fileio import format_json, recover_dir, replace_dir, staged_dir, write_text_atomic

PathLike = Union[str, Path]

#: Files keyed by speaker rather than by utterance.
SPEAKER_FILES = ("spk2utt", "spk2gender")
#: Files that are not ``<key> <value>`` tables.
SIDE_FILES = ("qa.jsonl", "corpus.json", "README.txt")
#: Files every data directory must have.
REQUIRED_FILES = ("wav.scp", "utt2spk", "spk2utt")


class KaldiFileError(UserError, ValueError):
    """A malformed Kaldi-style ``<key> <value>`` file; the message names the file and line.

    The base class of every reader's error (:class:`KaldiDataDirError`,
    ``evaluation.kaldi_text.KaldiTextError``, ``semantic.embed.TextFileError``); the class
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


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def id_problem(key: str) -> Optional[str]:
    """Why ``key`` cannot be an utterance or speaker id, or None.

    Ids are data, never paths: files are named after them (``<uttid>.wav``), so a ``/``,
    a ``\\``, a NUL or a leading ``.`` or ``-`` (``..``, an option-like name) is refused.
    """
    if not key or any(c.isspace() for c in key):
        return f"invalid id {key!r} (empty or contains whitespace)"
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


def utt2spk_to_spk2utt(utt2spk: Mapping[str, str]) -> Dict[str, str]:
    """Invert ``utt2spk`` into ``spk2utt`` values (uttids sorted, space separated)."""
    spk2utts: Dict[str, List[str]] = {}
    for utt in sorted(utt2spk):
        spk2utts.setdefault(utt2spk[utt], []).append(utt)
    return {spk: " ".join(utts) for spk, utts in spk2utts.items()}


def read_jsonl(path: PathLike) -> List[dict]:
    """Read a JSON-lines file; errors name the file and line."""
    path = Path(path)
    records = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise KaldiDataDirError(f"{path}:{lineno}: invalid JSON ({e})") from e
    return records


def format_jsonl(records: Iterable[Mapping]) -> str:
    """One compact JSON object per line, non-ASCII kept readable."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# ---------------------------------------------------------------------------------------
# Data directories
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Utterance:
    """One utterance of a data directory.

    Attributes:
        uttid: utterance id; by Kaldi convention it starts with the speaker id.
        wav: the ``wav.scp`` value (an absolute wav path here).
        speaker: the speaker id (``utt2spk``).
        fields: per-utterance files other than ``wav.scp``/``utt2spk``, as
            ``{file name: value}``, e.g. ``{"text": "…", "text.bam": "…", "topic": "market"}``.
        qa: optional ``qa.jsonl`` record body (``{"question": …, "answers": […]}``).
    """

    uttid: str
    wav: str
    speaker: str
    fields: Dict[str, str] = dataclasses.field(default_factory=dict)
    qa: Optional[Dict] = None


def write_data_dir(
    data_dir: PathLike,
    utterances: Sequence[Utterance],
    spk2gender: Optional[Mapping[str, str]] = None,
    corpus_info: Optional[Mapping] = None,
    check_wav_files: bool = False,
) -> List[str]:
    """Write a complete Kaldi data directory, validated before it replaces the old one.

    Files: ``wav.scp``, ``utt2spk``, ``spk2utt``, one file per key of
    :attr:`Utterance.fields`, ``spk2gender`` if given, ``qa.jsonl`` if any utterance has
    ``qa`` and ``corpus.json`` (``corpus_info`` plus the list of files written). Files
    that a previous run listed in ``corpus.json`` but this run does not write are removed,
    so that switching corpora never leaves stale tables behind; other entries (a ``wav/``
    folder, files of other tools) are kept.

    The new directory is built in a sibling folder (:func:`~espnet_lau.fileio.staged_dir`)
    and validated there (:func:`validate_data_dir`, ``check_wav_files`` included) before it
    replaces ``data_dir``: a failed validation leaves the previous directory as it was.
    Files whose content is unchanged keep their modification time, and a re-run with the
    same content changes nothing.

    Returns:
        The names of the files whose content changed.

    Raises:
        KaldiDataDirError: on duplicate uttids, fields not present for every utterance,
            invalid keys or values, or a failed validation.
    """
    data_dir = Path(data_dir)
    if not utterances:
        raise KaldiDataDirError(f"{data_dir}: no utterances to write")
    by_id: Dict[str, Utterance] = {}
    for utt in utterances:
        if utt.uttid in by_id:
            raise KaldiDataDirError(f"{data_dir}: utterance {utt.uttid!r}: duplicate uttid")
        by_id[utt.uttid] = utt
    field_names = sorted({name for utt in utterances for name in utt.fields})
    tables: Dict[str, Dict[str, str]] = {
        "wav.scp": {u.uttid: u.wav for u in utterances},
        "utt2spk": {u.uttid: u.speaker for u in utterances},
    }
    for name in field_names:
        if name in tables or name in SPEAKER_FILES or name in SIDE_FILES:
            raise KaldiDataDirError(f"{data_dir}: field name {name!r} is reserved")
        missing = [u.uttid for u in utterances if name not in u.fields]
        if missing:
            raise KaldiDataDirError(
                f"{data_dir}/{name}: utterance {missing[0]!r}: no value "
                f"({len(missing)} utterance(s) lack this field)"
            )
        tables[name] = {u.uttid: u.fields[name] for u in utterances}
    tables["spk2utt"] = utt2spk_to_spk2utt(tables["utt2spk"])
    if spk2gender is not None:
        speakers = set(tables["spk2utt"])
        tables["spk2gender"] = {s: g for s, g in spk2gender.items() if s in speakers}

    contents: Dict[str, str] = {
        name: format_table(table, where=f"{data_dir}/{name}") for name, table in tables.items()
    }
    qa = [u for u in sorted(utterances, key=lambda u: u.uttid) if u.qa is not None]
    if qa:
        contents["qa.jsonl"] = format_jsonl({"id": u.uttid, **u.qa} for u in qa)

    info = dict(corpus_info or {})
    info["files"] = sorted(contents)
    info["num_utterances"] = len(utterances)
    info["num_speakers"] = len(tables["spk2utt"])
    contents["corpus.json"] = format_json(info)

    recover_dir(data_dir)  # a swap killed between its renames
    changed = [name for name in sorted(contents) if not _holds(data_dir / name, contents[name])]
    stale = _stale_files(data_dir, keep=set(contents))
    if not changed and not stale:
        validate_data_dir(data_dir, check_wav_files=check_wav_files)
        return []
    with staged_dir(data_dir) as new:
        moved = []
        for entry in sorted(data_dir.iterdir()) if data_dir.is_dir() else ():
            if entry.name in stale:
                logging.info("Removing stale %s (written by an earlier preparation)", entry)
            elif entry.is_dir():
                moved.append(entry.name)  # e.g. wav/: moved over once the new tables are valid
            elif entry.name not in changed:
                shutil.copy2(entry, new / entry.name, follow_symlinks=False)
        for name in changed:
            (new / name).write_text(contents[name], encoding="utf-8")
        try:
            validate_data_dir(new, check_wav_files=check_wav_files)
        except KaldiDataDirError as exc:
            raise KaldiDataDirError(
                f"{str(exc).replace(str(new), str(data_dir))} (nothing written: {data_dir} is as it was)"
            ) from None
        replace_dir(new, data_dir, move=moved)
    return changed


def _holds(path: Path, text: str) -> bool:
    return path.is_file() and path.read_bytes() == text.encode("utf-8")


def _stale_files(data_dir: Path, keep: set) -> set:
    """Files an earlier :func:`write_data_dir` listed in ``corpus.json`` that are not in ``keep``."""
    try:
        previous = json.loads((data_dir / "corpus.json").read_text(encoding="utf-8")).get("files", [])
    except (OSError, json.JSONDecodeError, AttributeError):
        return set()
    return {name for name in previous if name not in keep and "/" not in name and (data_dir / name).is_file()}


@dataclasses.dataclass
class DataDirSummary:
    """What :func:`validate_data_dir` found."""

    uttids: List[str]
    speakers: List[str]
    utterance_files: List[str]


def utterance_files(data_dir: Path) -> List[str]:
    """Names of the per-utterance tables of a data directory (wav.scp, text, utt2spk, ...)."""
    names = []
    for path in sorted(data_dir.iterdir()):
        name = path.name
        if not path.is_file() or name.startswith(".") or name in SPEAKER_FILES or name in SIDE_FILES:
            continue
        if name.endswith((".json", ".jsonl", ".txt", ".tmp")):
            continue
        names.append(name)
    return names


def validate_data_dir(
    data_dir: PathLike,
    required: Sequence[str] = REQUIRED_FILES,
    check_wav_files: bool = False,
    check_speaker_prefix: bool = True,
) -> DataDirSummary:
    """Check that a data directory is complete and consistent.

    Checks: the ``required`` files exist; every utterance file is sorted, has no duplicate
    or empty entry and covers exactly the uttids of ``wav.scp``; ``spk2utt`` is the
    inverse of ``utt2spk``; speaker files cover every speaker; ``qa.jsonl`` (when present)
    has one valid record per utterance; uttids start with their speaker id (Kaldi
    convention) when ``check_speaker_prefix``; wav paths exist when ``check_wav_files``.

    Raises:
        KaldiDataDirError: naming the file and the first utterance at fault.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise KaldiDataDirError(f"{data_dir}: not a directory")
    for name in required:
        if not (data_dir / name).is_file():
            raise KaldiDataDirError(f"{data_dir}/{name}: missing required file")

    wav_scp = read_table(data_dir / "wav.scp")
    reference = set(wav_scp)
    files = utterance_files(data_dir)
    for name in files:
        keys = set(read_table(data_dir / name))
        missing = sorted(reference - keys)
        if missing:
            raise KaldiDataDirError(
                f"{data_dir}/{name}: utterance {missing[0]!r} is in wav.scp but not in {name} "
                f"({len(missing)} missing)"
            )
        extra = sorted(keys - reference)
        if extra:
            raise KaldiDataDirError(
                f"{data_dir}/{name}: utterance {extra[0]!r} is not in wav.scp ({len(extra)} extra)"
            )

    utt2spk = read_table(data_dir / "utt2spk")
    spk2utt = read_table(data_dir / "spk2utt")
    expected = utt2spk_to_spk2utt(utt2spk)
    for spk in sorted(set(expected) | set(spk2utt)):
        if spk2utt.get(spk) != expected.get(spk):
            raise KaldiDataDirError(
                f"{data_dir}/spk2utt: speaker {spk!r} does not match utt2spk "
                f"(spk2utt: {spk2utt.get(spk)!r}, utt2spk gives: {expected.get(spk)!r})"
            )
    if check_speaker_prefix:
        for utt, spk in utt2spk.items():
            if not utt.startswith(spk):
                raise KaldiDataDirError(
                    f"{data_dir}/utt2spk: utterance {utt!r} does not start with its speaker id {spk!r}"
                )
    for name in SPEAKER_FILES[1:]:
        if (data_dir / name).is_file():
            table = read_table(data_dir / name)
            missing = sorted(set(spk2utt) - set(table))
            if missing:
                raise KaldiDataDirError(f"{data_dir}/{name}: speaker {missing[0]!r} missing")

    if (data_dir / "qa.jsonl").is_file():
        _validate_qa(data_dir / "qa.jsonl", reference)
    if check_wav_files:
        for utt, value in wav_scp.items():
            if not value.endswith("|") and not Path(value).is_file():
                raise KaldiDataDirError(f"{data_dir}/wav.scp: utterance {utt!r}: no such file {value}")
    return DataDirSummary(
        uttids=sorted(reference), speakers=sorted(spk2utt), utterance_files=["wav.scp", *files]
    )


def check_disjoint_sets(data_dirs: Sequence[PathLike]) -> None:
    """Refuse data directories that share an utterance id or a recording.

    A test utterance that is also a training one (the same id, or the same audio file
    under another id, e.g. a corpus split by hand) makes every score a leak.

    Raises:
        KaldiDataDirError: ``<a>/wav.scp and <b>/wav.scp share N utterance id(s)`` (or
            recording(s)), with the first few.
    """
    seen_ids: Dict[str, Path] = {}
    seen_wavs: Dict[str, Tuple[Path, str]] = {}
    for data_dir in map(Path, data_dirs):
        wav_scp = data_dir / "wav.scp"
        shared: Dict[Tuple[Path, str], List[str]] = {}
        for uttid, wav in read_table(wav_scp).items():
            if uttid in seen_ids:
                shared.setdefault((seen_ids[uttid], "utterance id(s)"), []).append(uttid)
            seen_ids.setdefault(uttid, wav_scp)
            where = seen_wavs.get(wav)
            if where is not None and where[0] != wav_scp:
                shared.setdefault((where[0], "recording(s)"), []).append(f"{wav} ({where[1]} and {uttid})")
            seen_wavs.setdefault(wav, (wav_scp, uttid))
        for (other, what), items in shared.items():
            more = f" and {len(items) - 3} more" if len(items) > 3 else ""
            raise KaldiDataDirError(
                f"{other} and {wav_scp} share {len(items)} {what}, e.g. {', '.join(items[:3])}{more}: "
                "sets must be disjoint; remove them from one of the sets"
            )


def _validate_qa(path: Path, uttids: set) -> None:
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


# ---------------------------------------------------------------------------------------
# Generated wav files
# ---------------------------------------------------------------------------------------
