"""A teacher's identity: a sha256 over the model files that can change its outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

# Files of a model folder that do not change what the model computes.
_IGNORED_FILES = {"README.md", ".gitattributes"}
# Alternative exports that SentenceTransformer's default (torch) backend never reads.
_IGNORED_DIRS = {"onnx", "openvino", ".git", ".cache"}

_DIGESTS: dict[tuple, str] = {}


def files_digest(files: Sequence[Path], root: Path) -> str:
    """sha256 over the names (relative to ``root``) and bytes of ``files``.

    Memoised per process on (path, size, mtime), so a teacher is hashed once.
    """
    files = sorted(Path(f) for f in files)
    stats = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    if stats not in _DIGESTS:
        digest = hashlib.sha256()
        for f in files:
            digest.update(f.relative_to(root).as_posix().encode() + b"\0")
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            digest.update(b"\0")
        _DIGESTS[stats] = digest.hexdigest()
    return _DIGESTS[stats]


def folder_digest(folder: Path) -> str:
    """:func:`files_digest` of every file of a model folder that can change its outputs."""
    files = [
        f
        for f in folder.rglob("*")
        if f.is_file()
        and f.name not in _IGNORED_FILES
        and not _IGNORED_DIRS.intersection(f.relative_to(folder).parts[:-1])
    ]
    return files_digest(files, root=folder)
