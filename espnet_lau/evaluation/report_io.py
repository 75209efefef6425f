"""Writing the evaluation reports (JSON + Markdown) in one consistent way: atomically,
through :mod:`espnet_lau.utils.fileio`, so a killed run never leaves half a report."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Union

from espnet_lau.utils.fileio import read_json_file, write_json_atomic, write_text_atomic


def write_json(obj: Any, path: Union[str, Path]) -> Path:
    """Write ``obj`` as indented UTF-8 JSON (non-ASCII kept, keys in their order)."""
    write_json_atomic(path, obj, sort_keys=False)
    logging.info("Wrote %s", path)
    return Path(path)


def write_text(text: str, path: Union[str, Path]) -> Path:
    """Write a UTF-8 text file."""
    write_text_atomic(path, text)
    logging.info("Wrote %s", path)
    return Path(path)


def read_json(path: Union[str, Path]) -> Any:
    """Read a UTF-8 JSON result file; a corrupt one is a one-line :class:`CorruptFileError`."""
    return read_json_file(path, "delete it and re-run the stage that wrote it")


def write_report(result: Any, markdown: str, outdir: Union[str, Path], stem: str) -> None:
    """``<outdir>/<stem>.json`` and ``<stem>.md``, and the Markdown on stdout."""
    write_json(result, Path(outdir) / f"{stem}.json")
    write_text(markdown, Path(outdir) / f"{stem}.md")
    sys.stdout.write(markdown)
