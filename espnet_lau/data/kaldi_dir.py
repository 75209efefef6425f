"""Writing a Kaldi-style data directory: :class:`Utterance` rows in, validated tables out.

What the files of a data directory are: :mod:`espnet_lau.data.datadir_check`. Every write
goes through :mod:`espnet_lau.utils.fileio`: atomic, and skipped when the file already holds
the same bytes, so that re-running a data preparation leaves the directory (and the
modification times) untouched; a whole data directory is validated before it replaces
the previous one.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from espnet_lau.data.datadir_check import (
    REQUIRED_FILES,
    SIDE_FILES,
    SPEAKER_FILES,
    DataDirSummary,
    utt2spk_to_spk2utt,
    utterance_files,
    validate_data_dir,
)
from espnet_lau.data.jsonl import format_jsonl, read_jsonl
from espnet_lau.data.kaldi_table import KaldiDataDirError, format_table, read_table, some_ids
from espnet_lau.utils.fileio import PathLike, format_json, recover_dir, replace_dir, staged_dir, write_text_atomic


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


@dataclasses.dataclass
class WrittenDataDir:
    """What :func:`write_data_dir` did.

    Attributes:
        summary: the validation summary of the directory now in place (computed once, by
            the write: a caller has no need to validate it again).
        changed: the names of the files whose content changed (``[]``: nothing was written).
    """

    summary: DataDirSummary
    changed: List[str]


def write_data_dir(
    data_dir: PathLike,
    utterances: Sequence[Utterance],
    spk2gender: Optional[Mapping[str, str]] = None,
    corpus_info: Optional[Mapping] = None,
    check_wav_files: bool = False,
) -> WrittenDataDir:
    """Write a complete Kaldi data directory, validated before it replaces the old one.

    Files: ``wav.scp``, ``utt2spk``, ``spk2utt``, one file per key of
    :attr:`Utterance.fields`, ``spk2gender`` if given, ``qa.jsonl`` if any utterance has
    ``qa`` and ``corpus.json`` (``corpus_info`` plus the list of files written). Files
    that a previous run listed in ``corpus.json`` but this run does not write are removed,
    so that switching corpora never leaves stale tables behind; other entries (a ``wav/``
    folder, files of other tools) are kept.

    The new directory is built in a sibling folder (:func:`~espnet_lau.utils.fileio.staged_dir`)
    and validated there (:func:`~espnet_lau.data.datadir_check.validate_data_dir`,
    ``check_wav_files`` included) before it replaces ``data_dir``: a failed validation
    leaves the previous directory as it was.
    Files whose content is unchanged keep their modification time, and a re-run with the
    same content changes nothing.

    Returns:
        The validation summary of the directory and the names of the files whose content
        changed.

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
        return WrittenDataDir(validate_data_dir(data_dir, check_wav_files=check_wav_files), [])
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
            write_text_atomic(new / name, contents[name])  # a failed write names its file
        try:
            summary = validate_data_dir(new, check_wav_files=check_wav_files)
        except KaldiDataDirError as exc:
            raise KaldiDataDirError(
                f"{str(exc).replace(str(new), str(data_dir))} (nothing written: {data_dir} is as it was)"
            ) from None
        replace_dir(new, data_dir, move=moved)
    return WrittenDataDir(summary, changed)


def read_data_dir(data_dir: PathLike, wavs: Optional[Mapping[str, str]] = None) -> List[Utterance]:
    """Read a data directory written by :func:`write_data_dir` back into utterances.

    Args:
        wavs: ``{uttid: wav}`` to use instead of ``wav.scp`` (the utterances cut from a
            directory with ``segments`` or commands, :func:`~espnet_lau.data.kaldi_audio.cut_utterances`).
    """
    data_dir = Path(data_dir)
    for name in REQUIRED_FILES:
        if not (data_dir / name).is_file():
            raise KaldiDataDirError(f"{data_dir}: missing {name}")
    wavs = dict(wavs) if wavs is not None else read_table(data_dir / "wav.scp")
    utt2spk = read_table(data_dir / "utt2spk")
    fields: Dict[str, Dict[str, str]] = {}
    for name in utterance_files(data_dir):
        if name not in ("wav.scp", "utt2spk"):
            fields[name] = read_table(data_dir / name)
    qa: Dict[str, dict] = {}
    if (data_dir / "qa.jsonl").is_file():
        for record in read_jsonl(data_dir / "qa.jsonl"):
            record = dict(record)
            qa[record.pop("id")] = record
    for name, table in [("utt2spk", utt2spk), *fields.items()]:
        extra = sorted(set(table) - set(wavs))
        if extra:
            logging.warning(f"{data_dir}/{name}: {len(extra)} utterance(s) not in wav.scp are left out: "
                            f"{some_ids(extra)}")
    utterances = []
    for uttid, wav in wavs.items():
        if uttid not in utt2spk:
            raise KaldiDataDirError(f"{data_dir}/utt2spk: utterance {uttid!r}: missing")
        utt_fields = {}
        for name, table in fields.items():
            if uttid not in table:
                raise KaldiDataDirError(f"{data_dir}/{name}: utterance {uttid!r}: missing")
            utt_fields[name] = table[uttid]
        utterances.append(Utterance(uttid, wav, utt2spk[uttid], utt_fields, qa.get(uttid)))
    return utterances


def _holds(path: Path, text: str) -> bool:
    return path.is_file() and path.read_bytes() == text.encode("utf-8")


def _stale_files(data_dir: Path, keep: set) -> set:
    """Files an earlier :func:`write_data_dir` listed in ``corpus.json`` that are not in ``keep``."""
    try:
        previous = json.loads((data_dir / "corpus.json").read_text(encoding="utf-8")).get("files", [])
    except (OSError, json.JSONDecodeError, AttributeError):
        return set()
    return {name for name in previous if name not in keep and "/" not in name and (data_dir / name).is_file()}
