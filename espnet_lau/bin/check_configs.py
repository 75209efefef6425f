#!/usr/bin/env python3
"""Check that each config a recipe is given is a YAML mapping of ``option: value`` lines,
before any stage runs (the recipe reads no config value in shell code).

    python -m espnet_lau.bin.check_configs st_config=conf/tuning/train_st_baseline.yaml \\
        asr_config=conf/tuning/train_asr_transformer_mini.yaml

Prints nothing when every file is a mapping; otherwise one line naming the option, the file
and what is wrong (``--st_config bad.yaml: not valid YAML: ...``) and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

import yaml

from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


def config_problem(path: Path) -> Optional[str]:
    """What makes ``path`` unusable as a config, or None: unreadable, not YAML, not a mapping."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "does not exist"
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return "not valid YAML: " + " ".join(str(exc).split())
    if config is not None and not isinstance(config, dict):
        return "not a mapping of option: value lines"
    return None


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+", metavar="OPTION=FILE",
                        help="the recipe option a config was given to, and the file")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    parser = get_parser()
    args = parse_args(parser, cmd)
    for item in args.configs:
        option, sep, path = item.lstrip("-").partition("=")
        if not sep or not option or not path:
            parser.error(f"{item!r} is not OPTION=FILE")
        problem = config_problem(Path(path))
        if problem:
            sys.exit(f"--{option} {path}: {problem}")


if __name__ == "__main__":
    run_main(main)
