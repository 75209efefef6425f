"""What a Kaldi-style data directory holds, and the checks that it is complete and consistent.

A data directory holds one utterance per line in every *utterance file* (``wav.scp``,
``text``, ``text.bam``, ``utt2spk``, ``utt2dur``, ``topic``, …), each line being
``<uttid> <value>`` and each file sorted by uttid (C-locale byte order, which is Python's
code-point order for UTF-8 text). *Speaker files* (``spk2utt``, ``spk2gender``) are keyed by
speaker. A few *side files* are not line-per-key tables: ``qa.jsonl`` (one JSON object per
utterance, keyed by ``"id"``; :mod:`espnet_lau.data.jsonl`), ``corpus.json`` (a
description of the set) and ``README.txt``.

:func:`validate_data_dir` checks one directory, :func:`check_disjoint_sets` that sets
share no utterance. Tables are read by :mod:`espnet_lau.data.kaldi_table`; a directory is
written by :func:`espnet_lau.data.kaldi_dir.write_data_dir`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

from espnet_lau.data.jsonl import validate_qa
from espnet_lau.data.kaldi_table import KaldiDataDirError, read_table
from espnet_lau.utils.fileio import PathLike

#: Files keyed by speaker rather than by utterance.
SPEAKER_FILES = ("spk2utt", "spk2gender")
#: Files that are not ``<key> <value>`` tables.
SIDE_FILES = ("qa.jsonl", "corpus.json", "README.txt")
#: Recording-level files of a Kaldi data directory (keyed by recording, not utterance).
RECORDING_FILES = ("segments", "reco2file_and_channel", "reco2dur")
#: Files every data directory must have.
REQUIRED_FILES = ("wav.scp", "utt2spk", "spk2utt")


def utt2spk_to_spk2utt(utt2spk: Mapping[str, str]) -> Dict[str, str]:
    """Invert ``utt2spk`` into ``spk2utt`` values (uttids sorted, space separated)."""
    spk2utts: Dict[str, List[str]] = {}
    for utt in sorted(utt2spk):
        spk2utts.setdefault(utt2spk[utt], []).append(utt)
    return {spk: " ".join(utts) for spk, utts in spk2utts.items()}


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
        if (not path.is_file() or name.startswith(".") or name in SPEAKER_FILES or name in SIDE_FILES
                or name in RECORDING_FILES):
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
        validate_qa(data_dir / "qa.jsonl", reference)
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
