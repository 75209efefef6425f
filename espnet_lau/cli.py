"""What every ``python -m espnet_lau.bin.*`` entry point shares."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from espnet2.utils.types import str2bool

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
    """Log the command line, whether it came from the shell or from ``main(cmd)``."""
    logging.info("%s", " ".join(sys.argv if cmd is None else [prog, *cmd]))
