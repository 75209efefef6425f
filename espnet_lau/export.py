"""Export a LAU-trained checkpoint as a stock ESPnet model: ST, or S2T (OWSM).

The semantic head exists only for training. Exporting removes ``semantic_head.*`` from
the weights and the LAU keys from ``config.yaml`` (plus the ``sem_emb`` data entries), and
then proves the result is stock: the stock task's ``build_model`` (``STTask`` or
``S2TTask``, :data:`STOCK_TASKS`) on the exported config followed by
``load_state_dict(strict=True)`` of the exported weights must succeed.

Each export records its source checkpoint in ``<outdir>/source.json`` (the path as given,
its absolute and resolved forms, and its sha256), written last, so that it names a
complete export. A folder exported from another checkpoint is not overwritten unless asked
(``overwrite``), and :func:`verify_export` tells whether a folder holds the export of a
given checkpoint as it is now (the recipe checks this before decoding).
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
from pathlib import Path
from typing import Dict, Optional, Tuple

import torch
import yaml
from espnet2.tasks.s2t import S2TTask
from espnet2.tasks.st import STTask

from espnet_lau.tasks.sem_emb import DATA_OPTIONS, SEM_EMB
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS
from espnet_lau.utils.checkpoint import load_state_dict
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import atomic_write, file_sha256, write_json_atomic, write_text_atomic

HEAD_PREFIX = "semantic_head."
SOURCE_RECORD = "source.json"
#: task -> (the stock ESPnet task, the config keys its training config must have, its trainer)
STOCK_TASKS = {
    "st": (STTask, ("src_token_list", "token_list"), "espnet_lau.bin.lau_st_train"),
    "s2t": (S2TTask, ("token_list",), "espnet_lau.bin.lau_s2t_train"),
}


class ExportError(UserError, ValueError):
    """The given files are not a LAU ST checkpoint that can be exported."""


def stock_config(config: dict, config_path: Path, task: str = "st") -> dict:
    """The LAU training config without any LAU key: a stock ``st_train`` (``s2t_train``) config."""
    _, keys, trainer = STOCK_TASKS[task]
    if any(key not in config for key in keys):
        raise ExportError(
            f"{config_path} is not an {task.upper()} training config (no {'/'.join(keys)}): "
            f"export_stock --task {task} only exports models trained by {trainer}"
        )
    if not any(key in config for key in LAU_CONFIG_KEYS):
        raise ExportError(
            f"{config_path} has none of the LAU keys {list(LAU_CONFIG_KEYS)}: it was not "
            f"written by {trainer} (a stock {task.upper()} model needs no export)"
        )
    out = {key: value for key, value in config.items() if key not in LAU_CONFIG_KEYS}
    for option in DATA_OPTIONS:
        if out.get(option):
            out[option] = [entry for entry in out[option] if entry[1] != SEM_EMB]
    return out


def verify_stock_load(config: dict, state: Dict[str, torch.Tensor], task: str = "st") -> int:
    """Build the stock model of ``task`` (``ESPnetSTModel``, ``ESPnetS2TModel``) from
    ``config`` and load ``state`` strictly.

    Returns:
        the number of parameters of the stock model.
    """
    args = argparse.Namespace(**copy.deepcopy(config))
    model = STOCK_TASKS[task][0].build_model(args)
    model.load_state_dict(state, strict=True)
    return sum(p.numel() for p in model.parameters())


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


def export_stock(config_path: Path, model_file: Path, outdir: Path, trust_pickle: bool = False,
                 overwrite: bool = False, task: str = "st") -> Tuple[Path, Path]:
    """Write ``outdir/config.yaml`` and ``outdir/model.pth`` as a stock ESPnet model of
    ``task`` (``st``: ST, ``s2t``: S2T/OWSM), and ``outdir/source.json`` (see
    :func:`source_record`) last.

    ``model_file`` is read by :func:`espnet_lau.utils.checkpoint.load_state_dict`: weights only
    (ESPnet's ``checkpoint.pth`` included), unless ``trust_pickle``.

    Raises:
        ExportError: the config is not a LAU ST config, the weights do not load
            strictly into the stock model built from the exported config, or ``outdir``
            holds the export of another checkpoint (and not ``overwrite``).
    """
    config_path, model_file, outdir = Path(config_path), Path(model_file), Path(outdir)
    for path in (config_path, model_file):
        if not path.is_file():
            raise ExportError(f"{path} does not exist")
    if task not in STOCK_TASKS:
        raise ExportError(f"unknown task {task!r}: one of {', '.join(STOCK_TASKS)}")
    with open(config_path, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    if not isinstance(config, dict):
        raise ExportError(f"{config_path} is not a YAML mapping")
    out_config = stock_config(config, config_path, task)
    source = source_record(model_file)
    check_export_target(outdir, source, overwrite)
    state = load_state_dict(model_file, trust_pickle=trust_pickle)
    head_keys = [key for key in state if key.startswith(HEAD_PREFIX)]
    out_state = {key: value for key, value in state.items() if not key.startswith(HEAD_PREFIX)}
    try:
        n_params = verify_stock_load(out_config, out_state, task)
    except RuntimeError as e:
        raise ExportError(
            f"{model_file} does not load strictly into the stock {task.upper()} model built from "
            f"{config_path}: {e}"
        ) from e
    logging.info(
        f"Removed {len(head_keys)} semantic-head tensors and the LAU config keys; "
        f"stock {STOCK_TASKS[task][0].__name__} model with {n_params:,} parameters loads strictly"
    )

    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / SOURCE_RECORD).unlink(missing_ok=True)  # no record names a half-replaced export
    out_config_path, out_model_path = outdir / "config.yaml", outdir / "model.pth"
    atomic_write(out_model_path, lambda f: torch.save(out_state, f))
    write_text_atomic(out_config_path, yaml.safe_dump(out_config, allow_unicode=True, sort_keys=False))
    write_json_atomic(outdir / SOURCE_RECORD, source, sort_keys=False)
    return out_config_path, out_model_path
