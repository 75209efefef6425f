"""NeMo manifests: the layout of the Jeli-ASR 1.0.0 release and its ``archives`` branch.

::

    <root>/manifests/<subset>-<split>-manifest.json                 Bambara in "text"
    <root>/french-manifests/<subset>-<split>-french-manifest.json   French in "text"
    <root>/audios/...

Each manifest is JSON lines ``{"audio_filepath", "duration", "text", ...}``. The two sides
are paired by ``audio_filepath``; a row on one side only is kept with the other side's text
missing (the caller drops and counts it). ``audio_filepath`` may be relative (to the root,
else to the manifest's folder) or absolute; an absolute path from another machine is found
again under ``<root>/audios/`` when it has an ``audios`` component. It must stay inside
``<root>`` (after ``..`` is resolved; a symlink inside the corpus may point anywhere): a
manifest names the audio of its own corpus, not ``/etc/...``. ``duration`` is not
trusted: callers measure the audio.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Dict, List, Optional

from espnet_lau.data.jsonl import iter_json_lines
from espnet_lau.data.lfs import check_not_pointer
from espnet_lau.utils.errors import UserError

MANIFEST_DIR = "manifests"
FRENCH_MANIFEST_DIR = "french-manifests"
#: The manifests' subset names of the ``save_to_disk`` configs (``bam-asr-oza`` is ``oza-bam-asr`` there).
MANIFEST_SUBSET = {"bam-asr-oza": "oza-bam-asr", "jeli-asr-rmai": "jeli-asr-rmai"}


class ManifestError(UserError, ValueError):
    """A manifest line that cannot be used (names the file and line)."""


@dataclasses.dataclass
class ManifestRow:
    """One manifest line: where it is, its audio file (resolved) and its text."""

    where: str
    audio: Path
    text: Optional[str]


def is_nemo_layout(root: Path) -> bool:
    """True when ``root`` holds a ``manifests/`` folder with ``*-manifest.json`` files."""
    return (root / MANIFEST_DIR).is_dir() and any((root / MANIFEST_DIR).glob("*-manifest.json"))


def manifest_paths(root: Path, config: str, split: str) -> Dict[str, Path]:
    """``{"bam": ..., "french": ...}``: the two manifests of one config and split."""
    subset = MANIFEST_SUBSET.get(config, config)
    return {
        "bam": root / MANIFEST_DIR / f"{subset}-{split}-manifest.json",
        "french": root / FRENCH_MANIFEST_DIR / f"{subset}-{split}-french-manifest.json",
    }


def _normalised(path: Path) -> Path:
    """``path`` absolute, its ``..`` and ``.`` resolved by name (symlinks kept)."""
    return Path(os.path.normpath(path.absolute()))


def audio_candidates(value: str, root: Path, manifest_dir: Path) -> List[Path]:
    """The files inside ``root`` that an ``audio_filepath`` may name, first choice first
    (see the module docstring); empty when every reading of it leaves ``root``."""
    path = Path(value)
    if path.is_absolute():
        candidates = [path]
        if "audios" in path.parts:
            candidates.append(root.joinpath(*path.parts[path.parts.index("audios"):]))
    else:
        candidates = [root / path, manifest_dir / path]
    corpus = _normalised(root)
    return [c for c in map(_normalised, candidates) if c.is_relative_to(corpus)]


def resolve_audio(value: str, root: Path, manifest_dir: Path) -> Optional[Path]:
    """The existing file inside ``root`` an ``audio_filepath`` names, or None."""
    return next((c for c in audio_candidates(value, root, manifest_dir) if c.is_file()), None)


def read_manifest(path: Path, root: Path) -> List[ManifestRow]:
    """Every row of one manifest, its audio resolved and checked.

    Raises:
        ManifestError: a line that is not a JSON object with ``audio_filepath``, an
            ``audio_filepath`` outside ``root``, or a repeated one.
        FileNotFoundError: an audio file that does not exist (naming the line).
        LFSPointerError: the manifest or an audio file is a Git LFS pointer.
    """
    check_not_pointer(path)
    rows: List[ManifestRow] = []
    seen: Dict[Path, str] = {}
    for where, record in iter_json_lines(path, lambda where, e: ManifestError(
            f"{where}: not a JSON object ({e.msg}); a NeMo manifest has one per line")):
        if not isinstance(record, dict) or not isinstance(record.get("audio_filepath"), str):
            raise ManifestError(f"{where}: no \"audio_filepath\" string; a NeMo manifest line needs one")
        if not audio_candidates(record["audio_filepath"], root, path.parent):
            raise ManifestError(
                f"{where}: audio_filepath {record['audio_filepath']!r} is outside the corpus folder "
                f"{root}: refused (a manifest names the audio of its own corpus); put the audio under "
                f"{root} and name it relative to it"
            )
        audio = resolve_audio(record["audio_filepath"], root, path.parent)
        if audio is None:
            raise FileNotFoundError(
                f"{where}: audio file {record['audio_filepath']!r} not found (looked under {root} and "
                f"{path.parent}); fetch the audio or fix the manifest"
            )
        if audio in seen:
            raise ManifestError(f"{where}: audio {record['audio_filepath']!r} is also on {seen[audio]}")
        check_not_pointer(audio, f"{where}: audio {audio}")
        seen[audio] = where
        text = record.get("text")
        rows.append(ManifestRow(where, audio, None if text is None else str(text)))
    return rows


@dataclasses.dataclass
class PairStats:
    """How the two sides of a manifest pair matched."""

    paired: int = 0
    only_bambara: int = 0
    only_french: int = 0


def pair_manifests(root: Path, config: str, split: str) -> tuple:
    """Rows of one config and split with both texts, paired by audio file.

    Returns:
        ``(columns, stats)``: ``columns`` has ``audio`` (``{"bytes": None, "path"}``),
        ``bam`` and ``french`` lists in the Bambara manifest's order (``french`` is None
        for a row on the Bambara side only; a row on the French side only is left out and
        counted in ``stats.only_french``).

    Raises:
        FileNotFoundError: the Bambara manifest does not exist.
    """
    paths = manifest_paths(root, config, split)
    if not paths["bam"].is_file():
        found = sorted(p.name for p in (root / MANIFEST_DIR).glob("*.json"))
        raise FileNotFoundError(f"{paths['bam']}: no such manifest (found {found})")
    bam_rows = read_manifest(paths["bam"], root)
    french = {}
    if paths["french"].is_file():
        french = {row.audio: row.text for row in read_manifest(paths["french"], root)}
    stats = PairStats()
    columns = {"audio": [], "bam": [], "french": []}
    for row in bam_rows:
        translation = french.pop(row.audio, None)
        stats.paired += translation is not None
        stats.only_bambara += translation is None
        columns["audio"].append({"bytes": None, "path": str(row.audio)})
        columns["bam"].append(row.text)
        columns["french"].append(translation)
    stats.only_french = len(french)
    return columns, stats

