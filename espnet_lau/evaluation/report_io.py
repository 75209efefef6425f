"""Writing the evaluation reports (JSON + Markdown) in one consistent way."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Union


def write_json(obj: Any, path: Union[str, Path]) -> Path:
    """Write ``obj`` as indented UTF-8 JSON (non-ASCII kept), creating parent dirs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    logging.info("Wrote %s", path)
    return path


def write_text(text: str, path: Union[str, Path]) -> Path:
    """Write a UTF-8 text file, creating parent dirs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    logging.info("Wrote %s", path)
    return path


def read_json(path: Union[str, Path]) -> Any:
    """Read a UTF-8 JSON file."""
    with Path(path).open(encoding="utf-8") as f:
        return json.load(f)


def write_report(result: Any, markdown: str, outdir: Union[str, Path], stem: str) -> None:
    """``<outdir>/<stem>.json`` and ``<stem>.md``, and the Markdown on stdout."""
    write_json(result, Path(outdir) / f"{stem}.json")
    write_text(markdown, Path(outdir) / f"{stem}.md")
    sys.stdout.write(markdown)
