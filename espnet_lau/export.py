"""Export a LAU-trained checkpoint as a stock ESPnet model: ST, or S2T (OWSM).

The semantic head exists only for training. Exporting removes ``semantic_head.*`` from
the weights and the LAU keys from ``config.yaml`` (plus the ``sem_emb`` data entries), and
then proves the result is stock: the stock task's ``build_model`` (``STTask`` or
``S2TTask``, :data:`STOCK_TASKS`) on the exported config followed by
``load_state_dict(strict=True)`` of the exported weights must succeed.

Each export records its source checkpoint in ``<outdir>/source.json``, written last, so
that it names a complete export (:mod:`espnet_lau.utils.export_record`, which also tells, without
ESPnet, whether a folder holds the export of a given checkpoint as it is now).
"""

from __future__ import annotations

import argparse
import copy
import logging
from pathlib import Path
from typing import Dict, Tuple

import torch
import yaml
from espnet2.tasks.s2t import S2TTask
from espnet2.tasks.st import STTask

from espnet_lau.lau_model import HEAD_PREFIX
from espnet_lau.pretrained.ssl_frontend import register_ssl_frontend
from espnet_lau.tasks.sem_emb import DATA_OPTIONS, SEM_EMB
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS
from espnet_lau.utils.export_record import SOURCE_RECORD, ExportError, check_export_target, source_record
from espnet_lau.utils.checkpoint import load_state_dict
from espnet_lau.utils.fileio import atomic_write, write_json_atomic, write_text_atomic

#: task -> (the stock ESPnet task, the config keys its training config must have, its trainer)
STOCK_TASKS = {
    "st": (STTask, ("src_token_list", "token_list"), "espnet_lau.bin.lau_st_train"),
    "s2t": (S2TTask, ("token_list",), "espnet_lau.bin.lau_s2t_train"),
}

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
    register_ssl_frontend()  # an ST model on frontend hf_ssl (--ssl_model) is built too
    args = argparse.Namespace(**copy.deepcopy(config))
    model = STOCK_TASKS[task][0].build_model(args)
    model.load_state_dict(state, strict=True)
    return sum(p.numel() for p in model.parameters())


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
