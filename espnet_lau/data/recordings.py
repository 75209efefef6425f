"""Utterance ids and recordings of real corpora, derived from the clips' audio file names.

Jeli-ASR clips are segments of longer recordings (griot narrations). Their file names carry
the recording, e.g. ``griots_r17-0012340-0015670.wav``: recording ``griots_r17``, then the
segment's start and end. Every source form of the corpus (``save_to_disk`` Arrow folders,
the hub, NeMo manifests) keeps that file name, so ids and the dev split derived from it
are the same whichever form a user holds.

Rules:

* **uttid** the audio file's stem with every character outside ``[A-Za-z0-9_.-]`` replaced
  by ``_`` (no config or split in it: a union ``DatasetDict`` knows neither). A split whose
  rows have no file name, or whose file names repeat, falls back to
  ``<config>-<split>-<row index:06d>`` (logged: such ids differ between source forms).
* **recording** the ``recording`` group of :data:`DEFAULT_RECORDING_REGEX` matched on the
  clip (``<recording>[-_]<start>[-_]<end>`` with numeric start and end); a clip whose name
  does not match is a recording of its own.
* **dev** a training utterance goes to dev when its recording does:
  ``int(sha1(recording), 16) % 1000 < dev_permille``; so dev and train share no recording
  (for a clip that is its own recording this is the per-utterance rule of earlier versions).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Optional, Pattern, Union

DEFAULT_RECORDING_REGEX = r"^(?P<recording>.+?)[-_](?P<start>\d+(?:\.\d+)?)[-_](?P<end>\d+(?:\.\d+)?)$"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def clip_name(audio_path: Optional[str]) -> Optional[str]:
    """The id-safe stem of an audio file name (POSIX or Windows path), or None if there is none."""
    if not audio_path:
        return None
    name = PureWindowsPath(audio_path).name if "\\" in audio_path else PurePosixPath(audio_path).name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    safe = _UNSAFE.sub("_", stem).strip(".-")
    return safe or None


def compile_recording_regex(pattern: Union[str, Pattern]) -> Pattern:
    """Compile ``pattern``, which must have a named group ``recording``."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    if "recording" not in regex.groupindex:
        raise ValueError(f"the recording regex {regex.pattern!r} has no (?P<recording>...) group")
    return regex


def recording_of(clip: Optional[str], regex: Pattern) -> Optional[str]:
    """The recording a clip belongs to, or None when its name does not say."""
    if not clip:
        return None
    match = regex.match(clip)
    return match.group("recording") if match and match.group("recording") else None


def recording_id(uttid: str, regex: Pattern, from_names: bool) -> str:
    """The recording of an utterance: read from its id when ids are clip names
    (:func:`recording_of`), else, or when the name does not say, the utterance itself."""
    return (recording_of(uttid, regex) if from_names else None) or uttid


def is_dev_recording(recording: str, dev_permille: int) -> bool:
    """The dev rule: ``int(sha1(recording), 16) % 1000 < dev_permille``."""
    return int(hashlib.sha1(recording.encode("utf-8")).hexdigest(), 16) % 1000 < dev_permille
