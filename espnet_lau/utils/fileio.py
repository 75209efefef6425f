"""Atomic file writes: the one implementation every module uses.

A write goes to a temporary file in the destination's folder (``.<name>.<random>.tmp``),
which then replaces the destination with :func:`os.replace`; readers see the old file or
the new one, never a partial one, and a failed write leaves no temporary file behind.
The ``write_*_atomic`` variants that know their bytes up front skip the write when the
file already holds them, so that a re-run leaves files (and modification times) untouched.

A whole folder is replaced the same way (:func:`staged_dir`): built in a sibling
``.<name>.new``, it takes the old folder's place by two renames once it is complete.
A folder that one command fills file by file is held by :func:`exclusive_folder`, which
refuses a second writer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Optional, Union

import filelock
import numpy as np

from espnet_lau.utils.errors import UserError

PathLike = Union[str, os.PathLike]


@contextlib.contextmanager
def atomic_output_path(path: PathLike, suffix: str = ".tmp", tmp_dir: Optional[PathLike] = None) -> Iterator[Path]:
    """A temporary path beside ``path``, for tools that write a file by name (e.g. sox).

    When the ``with`` block succeeds the temporary file replaces ``path``; when it fails
    the temporary file is removed. ``suffix`` lets a tool infer the format (``.wav``).
    ``tmp_dir`` (on the file system of ``path``, e.g. a :func:`scratch_dir` beside it)
    holds the temporary file instead of ``path``'s folder.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=tmp_dir or path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file 0600; a finished output follows the umask like any
        # other tool's (0644 under the usual 022), also inside the zips made from it.
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except (OSError, RuntimeError) as exc:  # a full disk; RuntimeError: torch.save's writer
        _name_the_destination(exc, path, tmp)
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _name_the_destination(exc: BaseException, path: Path, tmp: str) -> None:
    """Make a failed write name the file (or folder) it was for: ``f.write`` on a full disk
    raises ``OSError(ENOSPC)`` without a file name (and an error on the temporary file
    names that). ``exc.atomic_destination`` tells :mod:`espnet_lau.utils.cli` that ``path`` was
    left as it was: nothing was half-written. The innermost write names it first."""
    if isinstance(exc, OSError) and exc.filename in (None, tmp):
        exc.filename = str(path)
    if getattr(exc, "atomic_destination", None) is None:
        exc.atomic_destination = str(path)


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Create or replace ``path`` with what ``write`` writes to the binary file it is given.

    The parent folder is created if needed.
    """
    with atomic_output_path(path) as tmp, open(tmp, "wb") as f:
        write(f)


def write_bytes_atomic(path: PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds it.

    Returns:
        True when the file was (re)written, False when it already had this content.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    atomic_write(path, lambda f: f.write(data))
    return True


def write_text_atomic(path: PathLike, text: str) -> bool:
    """UTF-8 version of :func:`write_bytes_atomic`."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: PathLike, obj, sort_keys: bool = True) -> bool:
    """Write ``obj`` as pretty JSON (indent 2, non-ASCII kept, final newline).

    ``sort_keys`` (the default) gives stable bytes for stable content; ``False`` keeps
    the insertion order of the mappings.
    """
    return write_text_atomic(path, format_json(obj, sort_keys))


def format_json(obj, sort_keys: bool = True) -> str:
    """The text :func:`write_json_atomic` writes."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n"


class CorruptFileError(UserError):
    """A JSON file one of our tools wrote (a state, a manifest, a result) that does not read back."""


def file_sha256(path: PathLike) -> str:
    """The SHA-256 hex digest of a file's content, read in 1 MiB blocks (a model file
    need not fit in memory twice)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json_file(path: PathLike, fix: str = "delete it and re-run the step that wrote it"):
    """The JSON value in ``path``; a truncated or garbled file is one line that names it.

    ``fix`` says what to do, e.g. ``delete it and re-run stage 12``.

    Raises:
        CorruptFileError: ``<path> is not valid JSON (Expecting value at line 1, column 1):
            it is truncated or corrupt (an interrupted write or copy?); <fix>``.
        FileNotFoundError: ``path`` does not exist.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start}"
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    raise CorruptFileError(f"{path} is not valid JSON ({reason}): it is truncated or corrupt "
                           f"(an interrupted write or copy?); {fix}")


def save_npy_atomic(path: PathLike, array: np.ndarray) -> None:
    """``np.save`` (no pickles) to ``path`` atomically; the name is used as given."""
    atomic_write(path, lambda f: np.save(f, array, allow_pickle=False))


def _sibling(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}")


def recover_dir(path: PathLike) -> None:
    """Finish or undo a :func:`replace_dir` that was killed between its two renames.

    ``.<name>.old`` is put back when ``path`` is missing and removed when ``path`` exists.
    """
    path = Path(path)
    old = _sibling(path, "old")
    if old.is_dir():
        if path.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, path)


def replace_dir(new: PathLike, path: PathLike, move: Iterable[str] = ()) -> None:
    """Make the complete folder ``new`` take the place of ``path``, by renames.

    The entries of ``path`` named in ``move`` (e.g. sub-folders the new content refers to)
    are moved into ``new`` first. Then ``path`` becomes ``.<name>.old``, ``new`` becomes
    ``path`` and the old folder is removed; readers never see a half-written folder.
    """
    new, path = Path(new), Path(path)
    if path.exists():
        for name in move:
            os.replace(path / name, new / name)
        old = _sibling(path, "old")
        os.replace(path, old)
        os.replace(new, path)
        shutil.rmtree(old)
    else:
        os.replace(new, path)


@contextlib.contextmanager
def staged_dir(path: PathLike) -> Iterator[Path]:
    """An empty sibling folder ``.<name>.new`` in which to build the replacement of ``path``.

    The ``with`` block fills and checks it, then calls :func:`replace_dir` to swap it in.
    Whatever the block leaves (it raised, or did not swap) is removed, so a failed check
    leaves ``path`` as it was. Usage::

        with staged_dir(data_dir) as new:
            write(new)
            validate(new)
            replace_dir(new, data_dir)
    """
    path = Path(path)
    recover_dir(path)
    new = _sibling(path, "new")
    if new.exists():  # left by a killed run
        shutil.rmtree(new)
    new.mkdir(parents=True)
    try:
        yield new
    except (OSError, RuntimeError) as exc:  # a full disk: name what the user asked for
        _name_the_destination(exc, path, str(new))
        for attr in ("filename", "atomic_destination"):
            name = getattr(exc, attr, None)
            if isinstance(name, str) and name.startswith(str(new) + os.sep):
                setattr(exc, attr, str(path / os.path.relpath(name, new)))
        raise
    finally:
        shutil.rmtree(new, ignore_errors=True)


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM (``kill``, a job scheduler) raises ``SystemExit(143)``
    in the main thread instead of ending the process at once, so that ``finally``
    clauses (removing temporary files) run as on Ctrl-C.

    Does nothing outside the main thread, or where SIGTERM already has a handler.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def exit_on_sigterm(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def scratch_dir(parent: PathLike, prefix: str = ".scratch-") -> Iterator[Path]:
    """A new hidden folder in ``parent`` for temporary files, removed when the block ends,
    however it ends: an error, Ctrl-C, or SIGTERM (:func:`terminate_as_exit`). Only
    SIGKILL or a power cut leaves it (``<parent>/<prefix><random>``, safe to delete).

    Being in ``parent``, it is on the same file system: its files can be renamed into
    ``parent`` (:func:`atomic_output_path` with ``tmp_dir``).
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    with terminate_as_exit():
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class FolderBusyError(UserError):
    """Another process is writing the folder."""


@contextlib.contextmanager
def exclusive_folder(folder: PathLike, what: str) -> Iterator[Path]:
    """Hold ``<folder>/.lock`` while writing ``folder``; a second writer is refused at once.

    The lock is ``flock`` (:mod:`filelock`): the system releases it when its process ends,
    however it ends, so a killed run never leaves the folder locked. Within one process
    the lock is re-entrant (the command and the library function it calls both hold it).

    Raises:
        FolderBusyError: ``<folder> is being written by another <what> ...: wait for it to
            finish, or give another output folder``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(folder / ".lock", timeout=0, is_singleton=True)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise FolderBusyError(
            f"{folder} is being written by another {what} (it holds {folder / '.lock'}): wait for "
            "it to finish, or give another output folder"
        ) from None
    try:
        yield folder
    finally:
        lock.release()
