"""Which wav files of a folder are up to date: a key per utterance in ``.manifest.json``.

Every writer of converted or synthesised audio (mini-corpus synthesis, stage 3's
formatting, real-corpus clips) records how each file was made and makes it again only
when that changes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Dict

from espnet_lau.data.kaldi_table import file_for_id
from espnet_lau.utils.fileio import PathLike, write_json_atomic


class WavManifest:
    """Keys describing how each wav file of one folder was made (``.manifest.json``).

    A preparation step computes a key per utterance (e.g. a hash of the text, voice and
    tool versions); :meth:`is_current` tells whether the file on disk was made with that
    key, so that a re-run skips it.
    """

    FILE_NAME = ".manifest.json"

    def __init__(self, wav_dir: PathLike):
        self.wav_dir = Path(wav_dir)
        self.path = self.wav_dir / self.FILE_NAME
        self._keys: Dict[str, str] = {}
        if self.path.is_file():
            try:
                self._keys = dict(json.loads(self.path.read_text(encoding="utf-8")))
            except (json.JSONDecodeError, TypeError, ValueError):
                logging.warning("Ignoring unreadable %s; all files will be regenerated", self.path)

    def wav_path(self, uttid: str) -> Path:
        return file_for_id(self.wav_dir, f"{uttid}.wav")

    def is_current(self, uttid: str, key: str) -> bool:
        path = self.wav_path(uttid)
        return self._keys.get(uttid) == key and path.is_file() and path.stat().st_size > 44

    def update(self, uttid: str, key: str) -> None:
        self._keys[uttid] = key

    def save(self) -> None:
        self.wav_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, self._keys)
