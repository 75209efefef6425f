"""Git LFS pointer files: what a ``git clone`` without git-lfs leaves in place of data.

A pointer is a small text file that starts with ``version https://git-lfs.github.com/spec/v1``
(followed by ``oid sha256:...`` and ``size ...``). Read as audio or Arrow it gives cryptic
decoder errors, so readers check for it first and say what to do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Union

from espnet_lau.utils.errors import UserError

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1"
#: Pointer files are at most a few hundred bytes (the spec limits them to 1024).
MAX_POINTER_SIZE = 1024


class LFSPointerError(UserError, ValueError):
    """A data file is a Git LFS pointer, not the data."""


def is_lfs_pointer(data: Union[bytes, os.PathLike, str]) -> bool:
    """True when ``data`` (file contents, or a file's path) is a Git LFS pointer."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return len(data) <= MAX_POINTER_SIZE and bytes(data[: len(LFS_POINTER_PREFIX)]) == LFS_POINTER_PREFIX
    path = Path(data)
    try:
        if path.stat().st_size > MAX_POINTER_SIZE:
            return False
        with open(path, "rb") as f:
            return f.read(len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX
    except OSError:
        return False


def pointer_message(what: str) -> str:
    """The one-line advice for a pointer found at ``what`` (a file name or an utterance)."""
    return (
        f"{what} is a Git LFS pointer file, not the data: the dataset was cloned without git-lfs. "
        "Install git-lfs (apt install git-lfs; git lfs install) and run `git lfs pull` in the dataset's clone"
    )


def check_not_pointer(path: Union[os.PathLike, str], what: str = "") -> None:
    """Raise :class:`LFSPointerError` when the file at ``path`` is a pointer."""
    if is_lfs_pointer(path):
        raise LFSPointerError(pointer_message(what or str(path)))


def check_folder_has_no_pointers(folder: Union[os.PathLike, str], patterns: Iterable[str] = ("*.arrow",)) -> None:
    """Raise :class:`LFSPointerError` naming the first pointer among ``folder``'s files.

    Only the files matching ``patterns`` (recursively) are opened, and only their first bytes.
    """
    for pattern in patterns:
        for path in sorted(Path(folder).rglob(pattern)):
            check_not_pointer(path)
