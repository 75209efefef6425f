"""What every ``python -m espnet_lau.bin.*`` entry point shares."""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
import sys
import traceback
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Type, TypeVar

import yaml
from espnet2.utils.types import str2bool

from espnet_lau.errors import UserError
from espnet_lau.numbers import positive_int

T = TypeVar("T")
#: What an entry point reports as one line: errors in what the user gave, the OS errors a
#: wrong path gives, and a config that is not YAML.
USER_ERRORS = (UserError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
               yaml.YAMLError)

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


def add_clip_options(parser: argparse.ArgumentParser) -> None:
    """The options of the tools that turn a real corpus's clips into wavs (Jeli-ASR,
    ASR-only sets): ``--recording_regex``, ``--sample_rate``, ``--nj``."""
    from espnet_lau.data.recordings import DEFAULT_RECORDING_REGEX

    parser.add_argument(
        "--recording_regex", default=DEFAULT_RECORDING_REGEX,
        help="regex with a (?P<recording>...) group, matched on the clip's file name; a clip "
        "that does not match is a recording of its own (default: %(default)s)",
    )
    parser.add_argument("--sample_rate", type=positive_int, default=16000, help="output rate in Hz (default: %(default)s)")
    parser.add_argument("--nj", type=positive_int, default=1, help="parallel decoding threads (default: %(default)s)")


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


def user_error_message(exc: BaseException) -> str:
    """The message of a user error; an OS error as ``<file>: <reason>``, a YAML error (file,
    line and column on lines of their own) on one line."""
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

    Catches :data:`USER_ERRORS` plus ``also`` (the exceptions an entry point's own
    functions raise for bad input, e.g. ``ValueError``); prints
    ``<prog>: error: <message>`` on stderr, after the traceback when logging is at DEBUG.
    Anything else, a bug, propagates with its traceback. ``main(cmd)`` itself exits, so
    a caller or test that runs ``main`` in-process sees ``SystemExit(1)``::

        with user_errors("check_packed", ValueError):
            fixed = normalise_zip_modes(args.zip)
    """
    try:
        yield
    except USER_ERRORS + also as exc:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            traceback.print_exc()
        print(f"{prog}: error: {user_error_message(exc)}", file=sys.stderr)
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
