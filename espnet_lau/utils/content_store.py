"""One disk-cache design: a content-addressed store of files named by a sha256 key.

``<root>/<key[:2]>/<key><suffix>``, each entry written atomically (``fileio``). A reader
that fails on an entry (truncated file, foreign format, a value that does not pass the
caller's check) makes it a miss with a warning: the caller recomputes and overwrites it.
Used for teacher embeddings (``teachers.embed``, ``.npy``) and LLM replies
(``evaluation.llm``, ``.json``); the key material is the caller's, so that a cache is safe
to share between runs, sets, teachers and models.

Not a cache in this sense: ``data.wav_manifest.WavManifest`` records how files with fixed
Kaldi names were made, so that a re-run keeps the current ones.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable, Generic, Optional, TypeVar

from espnet_lau.utils.fileio import PathLike

Value = TypeVar("Value")

#: Exceptions that make an entry unreadable rather than the run broken.
UNREADABLE = (OSError, ValueError, KeyError, TypeError)


def sha256_key(material: str) -> str:
    """The hex sha256 of ``material`` (UTF-8): the name of an entry."""
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ContentStore(Generic[Value]):
    """Entries ``key -> Value`` on disk.

    Args:
        root: the store's folder (created on the first ``put``).
        suffix: the file name suffix, e.g. ``.npy``.
        load: reads one entry file; may raise any of :data:`UNREADABLE`.
        save: writes one entry file atomically.
        valid: an entry that ``load`` read but ``valid`` rejects is a miss too.
    """

    def __init__(
        self,
        root: PathLike,
        suffix: str,
        load: Callable[[Path], Value],
        save: Callable[[Path, Value], object],
        valid: Callable[[Value], bool] = lambda value: True,
    ):
        self.root = Path(root).resolve()
        self.suffix = suffix
        self._load = load
        self._save = save
        self._valid = valid

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{self.suffix}"

    def get(self, key: str) -> Optional[Value]:
        """The stored value, or ``None`` when absent, unreadable or not valid."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            value = self._load(path)
        except UNREADABLE as exc:
            logging.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None
        if not self._valid(value):
            logging.warning("ignoring invalid cache entry %s", path)
            return None
        return value

    def put(self, key: str, value: Value) -> None:
        self._save(self.path(key), value)
