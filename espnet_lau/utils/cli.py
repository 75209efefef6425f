"""What every ``python -m espnet_lau.bin.*`` entry point shares."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import shlex
import sys
import traceback
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple, Type, TypeVar

import yaml
from espnet2.utils.types import str2bool

from espnet_lau.utils.errors import UserError

T = TypeVar("T")
#: What an entry point reports as one line: errors in what the user gave, the OS errors a
#: wrong path gives, and a config that is not YAML (besides the disk errors of
#: :func:`disk_error_message`).
USER_ERRORS = (UserError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
               yaml.YAMLError)
#: What the OS says of a full disk, a read-only mount, a name over the file system's limit:
#: the reason and the fix.
DISK_ERRORS = {
    errno.ENOSPC: ("no space left on device", "free space and re-run"),
    errno.EDQUOT: ("disk quota exceeded", "free space and re-run"),
    errno.EROFS: ("read-only file system", "write the outputs to a writable folder (or remount it "
                  "read-write) and re-run"),
}
#: Most file systems (ext4, xfs, btrfs, tmpfs) take names of at most this many bytes.
NAME_MAX = 255
#: torch.save's errors when its file cannot be written (on a full disk: ``[enforce fail at
#: inline_container.cc:672] . unexpected pos 704 vs 598``).
TORCH_WRITE_FAILURES = ("unexpected pos", "PytorchStreamWriter failed")

LOG_FORMAT = "%(asctime)s (%(module)s:%(lineno)d) %(levelname)s: %(message)s"
LOG_LEVELS = ("ERROR", "WARNING", "INFO", "DEBUG")


def add_log_level_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log_level", default="INFO", type=str.upper, choices=LOG_LEVELS,
                        help="logging level (default: %(default)s)")


def setup_logging(level: str = "INFO") -> None:
    """espnet2-style logging for the entry points."""
    logging.basicConfig(level=level, format=LOG_FORMAT)


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", type=str2bool, default=True,
                        help="show progress bars (default: %(default)s)")


def log_command(prog: str, cmd: Optional[List[str]]) -> None:
    """Log the command line, quoted so that it can be run again: ESPnet's
    ``get_commandline_args`` for the shell's, ``shlex.join`` for a ``main(cmd)`` call's."""
    from espnet.utils.cli_utils import get_commandline_args

    logging.info("%s", get_commandline_args() if cmd is None else shlex.join([prog, *cmd]))


def parse_args(
    parser: argparse.ArgumentParser, cmd: Optional[List[str]], log_as: Optional[str] = None
) -> argparse.Namespace:
    """The start of every entry point's ``main(cmd)``: parse ``cmd`` (``None``: the shell's
    arguments) and set up logging at ``--log_level``; with ``log_as`` (the tool's name),
    also log the command line, as the long data-preparation tools do."""
    args = parser.parse_args(cmd)
    setup_logging(args.log_level)
    if log_as is not None:
        log_command(log_as, cmd)
    return args


def disk_error_message(exc: BaseException) -> Optional[str]:
    """One line for a write that the disk refused, naming the file and the fix, or None.

    A full disk (``ENOSPC``, ``EDQUOT``, torch.save's ``unexpected pos``), a read-only
    mount (``EROFS``), a name too long (``ENAMETOOLONG``). A write through
    :mod:`espnet_lau.utils.fileio` left its destination as it was, and the message says so.
    """
    destination = getattr(exc, "atomic_destination", None)
    untouched = "; nothing was half-written" if destination else ""
    if isinstance(exc, RuntimeError) and any(m in str(exc) for m in TORCH_WRITE_FAILURES):
        where = f"{destination}: " if destination else ""
        return (f"{where}PyTorch could not write its file ({' '.join(str(exc).split())}): the disk is "
                f"probably full: free space and re-run{untouched}")
    if not isinstance(exc, OSError):
        return None
    name = os.fsdecode(exc.filename) if exc.filename is not None else None
    where = f"{name}: " if name else ""
    if exc.errno == errno.ENAMETOOLONG and name:
        longest = max(len(os.fsencode(part)) for part in name.split(os.sep))
        return (f"{name}: name too long ({longest} bytes in one part; most file systems take at most "
                f"{NAME_MAX}): give a shorter name (or utterance id)")
    if exc.errno in DISK_ERRORS:
        reason, fix = DISK_ERRORS[exc.errno]
        return f"{where}{reason}: {fix}{untouched}"
    return None


def user_error_message(exc: BaseException, also: Tuple[Type[BaseException], ...] = ()) -> Optional[str]:
    """The message of a user error (:data:`USER_ERRORS`, the disk's refusals, ``also``), or
    None for a bug: an OS error as ``<file>: <reason>`` (:func:`disk_error_message` for the
    disk's), a YAML error (file, line and column on lines of their own) on one line."""
    disk = disk_error_message(exc)
    if disk is not None:
        return disk
    if not isinstance(exc, USER_ERRORS + tuple(also)):
        return None
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, yaml.YAMLError):
        return "not valid YAML: " + " ".join(str(exc).split())
    return str(exc)


def _module_name(main: Callable) -> str:
    """``embed_text`` for ``espnet_lau.bin.embed_text.main``, also when run with ``-m``."""
    module = main.__module__
    if module == "__main__":
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        module = spec.name if spec else Path(sys.argv[0]).stem
    return module.rpartition(".")[2]


@contextlib.contextmanager
def user_errors(prog: str, *also: Type[BaseException]) -> Iterator[None]:
    """Report a user error raised in the block in one line and exit 1.

    Catches :data:`USER_ERRORS`, the disk's refusals (:func:`disk_error_message`), plus
    ``also`` (the exceptions an entry point's own functions raise for bad input, e.g.
    ``ValueError``); prints
    ``<prog>: error: <message>`` on stderr, after the traceback when logging is at DEBUG.
    Anything else, a bug, propagates with its traceback. ``main(cmd)`` itself exits, so
    a caller or test that runs ``main`` in-process sees ``SystemExit(1)``::

        with user_errors("check_packed", ValueError):
            fixed = normalise_zip_modes(args.zip)
    """
    try:
        yield
    except Exception as exc:
        message = user_error_message(exc, also)
        if message is None:
            raise  # a bug: its traceback
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            traceback.print_exc()
        print(f"{prog}: error: {message}", file=sys.stderr)
        sys.exit(1)


def run_main(main: Callable[[], T], prog: Optional[str] = None) -> T:
    """Run an entry point's ``main()`` inside :func:`user_errors`.

    ``prog`` defaults to the module name of ``main`` (``embed_text``).

    Usage, at the end of an entry point::

        if __name__ == "__main__":
            run_main(main)
    """
    with user_errors(prog or _module_name(main)):
        return main()
