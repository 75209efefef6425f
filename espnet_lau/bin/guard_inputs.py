#!/usr/bin/env python3
"""Refuse to reuse an output folder that was made from other inputs.

The recipe trains with ``--resume true`` and reuses statistics. Without a guard, an edited
config or a new token list would silently resume an old model (or crash inside
``load_state_dict``). Before a stage writes into ``--dir``, it calls this with every
input that makes the folder's content incompatible::

    python -m espnet_lau.bin.guard_inputs --dir exp/st_x "config=file:conf/x.yaml" \\
        "token list=file:data/token_list/tgt_bpe_unigram150/tokens.txt" "st_args=--max_epoch 5"

``NAME=file:PATH`` stands for the SHA-256 of the file's content, ``NAME=yaml:PATH:KEY``
and ``NAME=json:PATH:KEY`` for the value of a top-level key of a YAML or JSON file (read
here, so that no config value passes through shell code), ``NAME=VALUE`` for the value
itself. The first call records them in ``<dir>/.inputs.json``; a later call with a
different value for any name exits 1 with one line naming what changed and the fix,
unless the folder holds nothing but that record. Nothing in the folder is touched.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from espnet_lau.utils.cli import run_main, user_errors
from espnet_lau.utils.fileio import CorruptFileError, file_sha256, read_json_file, write_json_atomic

RECORD = ".inputs.json"


def fingerprint(value: str) -> str:
    """``file:PATH`` -> ``sha256:<hex>`` of the file; ``yaml:PATH:KEY`` and
    ``json:PATH:KEY`` -> the key's value as canonical JSON; any other value as it is."""
    kind, sep, rest = value.partition(":")
    if not sep or kind not in ("file", "yaml", "json"):
        return value
    path_text, key = (rest, None) if kind == "file" else rest.rpartition(":")[::2]
    path = Path(path_text)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    if kind == "file":
        return "sha256:" + file_sha256(path)
    text = path.read_text(encoding="utf-8")
    try:
        content = yaml.safe_load(text) if kind == "yaml" else json.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise FileNotFoundError(f"{path} is not valid {kind.upper()} ({' '.join(str(exc).split())[:200]})") from None
    found = content.get(key) if isinstance(content, dict) else None
    return json.dumps(found, sort_keys=True)


def changed_inputs(recorded: Dict[str, str], current: Dict[str, str]) -> List[str]:
    """Names whose value differs (or that only one side has)."""
    return sorted(name for name in set(recorded) | set(current) if recorded.get(name) != current.get(name))


def read_record(record: Path) -> Dict[str, str]:
    """The inputs ``record`` (a ``.inputs.json``) holds; a corrupt one exits 1 naming it."""
    fix = (f"delete it to take {record.parent} as made from the current inputs, or remove "
           f"{record.parent} to redo it")
    with user_errors("guard_inputs"):
        recorded = read_json_file(record, fix)
        if not isinstance(recorded, dict):
            raise CorruptFileError(f"{record} holds no inputs (a JSON {type(recorded).__name__}, not an "
                                   f"object): it is corrupt; {fix}")
    return recorded


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, type=Path, help="the output folder to guard")
    parser.add_argument("inputs", nargs="+",
                        help="NAME=VALUE, NAME=file:PATH, NAME=yaml:PATH:KEY or NAME=json:PATH:KEY")
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    parser = get_parser()
    args = parser.parse_args(cmd)
    current = {}
    for item in args.inputs:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"input {item!r} is not NAME=VALUE")
        try:
            current[name] = fingerprint(value)
        except FileNotFoundError as exc:
            sys.exit(f"guard_inputs: {args.dir}: input {name!r}: {exc}")
    record = args.dir / RECORD
    if record.is_file():
        recorded = read_record(record)
        changed = changed_inputs(recorded, current)
        others = [p for p in args.dir.iterdir() if p.name != RECORD] if args.dir.is_dir() else []
        if changed and others:
            sys.exit(
                f"ERROR: {args.dir} was made from other inputs: {', '.join(changed)} changed since. "
                f"Remove {args.dir} to redo it, or give the new run another name "
                "(--st_tag/--st_exp, --asr_tag/--asr_exp, --st_stats_dir, --asr_stats_dir)"
            )
    args.dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(record, current)


if __name__ == "__main__":
    run_main(main)
