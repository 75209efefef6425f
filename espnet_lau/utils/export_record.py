"""Which checkpoint an exported model came from: ``<outdir>/source.json``.

:func:`espnet_lau.export.export_stock` writes the record last (the path as given, its
absolute and resolved forms, and its sha256), so that it names a complete export. A folder
exported from another checkpoint is not overwritten unless asked, and :func:`verify_export`
tells whether a folder holds the export of a given checkpoint as it is now: the recipe
checks this before decoding. Nothing here imports ESPnet or torch, so the check costs a
file hash, not an ESPnet start.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Dict, Optional

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import file_sha256

SOURCE_RECORD = "source.json"


class ExportError(UserError, ValueError):
    """The given files are not a LAU ST checkpoint that can be exported, or an export
    folder does not hold the export of the given checkpoint."""


def source_record(model_file: Path) -> Dict[str, str]:
    """What ``source.json`` records of an export's source checkpoint."""
    return {"model_file": str(model_file), "absolute": os.path.abspath(model_file),
            "resolved": str(Path(model_file).resolve()), "sha256": file_sha256(model_file)}


def read_source_record(outdir: Path) -> Optional[Dict[str, str]]:
    """``<outdir>/source.json``, or ``None`` when the folder has none."""
    path = Path(outdir) / SOURCE_RECORD
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path} is not JSON ({exc}): re-run stage 11 (export_stock)") from None
    if not isinstance(record, dict) or not {"model_file", "absolute", "resolved", "sha256"} <= set(record):
        raise ExportError(f"{path} is not a source record of export_stock: re-run stage 11 (export_stock)")
    return record


def same_source_path(recorded: Dict[str, str], source: Dict[str, str]) -> bool:
    """Whether two records name the same file (absolute path, or symbolic links resolved)."""
    return recorded["absolute"] == source["absolute"] or recorded["resolved"] == source["resolved"]


def _short(record: Dict[str, str]) -> str:
    return f"{record['model_file']} (sha256 {record['sha256'][:12]})"


def check_export_target(outdir: Path, source: Dict[str, str], overwrite: bool) -> None:
    """Refuse to export ``source`` into a folder that holds another checkpoint's export.

    The same checkpoint path is exported again, with a log line when its content changed.

    Raises:
        ExportError: ``<outdir> holds the export of <other> ...`` (not ``overwrite``).
    """
    recorded = read_source_record(outdir)
    if recorded is None:
        return
    if not same_source_path(recorded, source):
        if not overwrite:
            raise ExportError(
                f"{outdir} holds the export of {_short(recorded)}, not of {source['model_file']}: "
                "give another --outdir, or pass --overwrite true to replace it"
            )
        logging.warning(f"{outdir}: replacing the export of {_short(recorded)} (--overwrite true)")
    elif recorded["sha256"] != source["sha256"]:
        logging.info(f"{source['model_file']} changed since {outdir} was exported from it (sha256 "
                     f"{recorded['sha256'][:12]} -> {source['sha256'][:12]}): exporting it again")


def verify_export(outdir: Path, model_file: Path) -> Dict[str, str]:
    """Check that ``outdir`` holds the export of ``model_file`` as it is now (path and sha256).

    Returns:
        the source record.

    Raises:
        ExportError: ``<outdir> was exported from <other> (sha256 ...), not from
            <model_file> (sha256 ...): re-run stage 11 ...``, or it has no record.
    """
    outdir, model_file = Path(outdir), Path(model_file)
    if not model_file.is_file():
        raise ExportError(f"{model_file} does not exist")
    recorded = read_source_record(outdir)
    if recorded is None:
        raise ExportError(
            f"{outdir} has no {SOURCE_RECORD}: it was not exported by export_stock, or the export "
            f"was interrupted: re-run stage 11 (export_stock) to export {model_file}"
        )
    source = source_record(model_file)
    if not same_source_path(recorded, source) or recorded["sha256"] != source["sha256"]:
        raise ExportError(
            f"{outdir} was exported from {_short(recorded)}, not from {_short(source)}: re-run "
            f"stage 11 (export_stock) to export {model_file}"
        )
    return recorded
