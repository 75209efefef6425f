"""An ST config that starts from a pretrained ESPnet model's speech encoder.

The user's ST config (baseline or LAU: decoder, optimiser, the LAU keys, ...) is kept; from
the pretrained model's ``config.yaml`` come what its encoder was trained behind and the
encoder itself:

* ``frontend`` + ``frontend_conf`` (e.g. OWSM v4: 128 mel bins, hop 160);
* ``normalize`` + ``normalize_conf``: global_mvn with the model's own ``feats_stats.npz``,
  copied to ``stats_out`` (the recipe's ``<st_stats_dir>/train/feats_stats.npz``), so that
  stage 10 does not recompute it;
* ``preencoder`` + ``preencoder_conf`` when the model has one;
* ``encoder`` + ``encoder_conf``;
* ``init_param``: ``<model file>:encoder:encoder`` (and the same for a trained front end
  or pre-encoder), checked against the built model at the start of training
  (:mod:`espnet_lau.tasks.init_check`).

Use outside the recipe::

    from espnet_lau.pretrained.st_config import write_pretrained_st_config
    write_pretrained_st_config("owsm_v4_base", "conf/tuning/train_st_lau_mse_std_r1.0.yaml",
                               "conf/train_st_owsm.yaml", stats_out="exp/owsm_stats/feats_stats.npz")
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

from espnet2.utils.yaml_no_alias_safe_dump import yaml_no_alias_safe_dump

from espnet_lau.pretrained.model_dir import PretrainedModel, PretrainedModelError, locate_pretrained, read_config
from espnet_lau.utils.fileio import PathLike, atomic_write, write_text_atomic

#: Front ends without parameters of their own (nothing to initialise).
PARAMETER_FREE_FRONTENDS = ("default", "sliding_window", None)
#: What the ST model takes from the pretrained model.
TAKEN = ("frontend", "frontend_conf", "normalize", "normalize_conf", "preencoder", "preencoder_conf",
         "encoder", "encoder_conf")


def init_params(model: PretrainedModel) -> List[str]:
    """``<file>:<module>:<module>`` for every pretrained module with parameters."""
    modules = ["encoder"]
    if model.config.get("preencoder"):
        modules.insert(0, "preencoder")
    if model.config.get("frontend", "default") not in PARAMETER_FREE_FRONTENDS:
        modules.insert(0, "frontend")
    return [f"{model.model_file.resolve()}:{name}:{name}" for name in modules]


def pretrained_parts(model: PretrainedModel, stats_out: Optional[Path]) -> Dict[str, Any]:
    """The keys of :data:`TAKEN` the model has, its statistics copied to ``stats_out``.

    Raises:
        PretrainedModelError: no encoder, features instead of raw audio, a normalisation
            other than global_mvn, or its statistics file missing.
    """
    config, where = model.config, model.config_path
    if not config.get("encoder"):
        raise PretrainedModelError(f"{where} has no encoder: not a speech model (ASR, ST or S2T)")
    if config.get("frontend") is None and config.get("input_size"):
        raise PretrainedModelError(f"{where}: the model reads {config['input_size']}-dim features, not audio "
                                   "(frontend null): the recipe feeds 16 kHz waveforms; use a model with a front end")
    if config.get("normalize") != "global_mvn":
        raise PretrainedModelError(f"{where}: normalize {config.get('normalize')!r}: only global_mvn (with its "
                                   "feats_stats.npz, as OWSM and the zoo's ASR/ST models) is supported")
    stats_file = (config.get("normalize_conf") or {}).get("stats_file")
    if not stats_file:
        raise PretrainedModelError(f"{where}: normalize_conf has no stats_file: the model's feats_stats.npz is needed")
    stats = model.resolve(str(stats_file), "normalize_conf.stats_file")
    parts = {key: config[key] for key in TAKEN if key in config}
    if stats_out is not None:
        stats_out = Path(stats_out)
        stats_out.parent.mkdir(parents=True, exist_ok=True)
        with stats.open("rb") as src:
            atomic_write(stats_out, lambda f: shutil.copyfileobj(src, f))
        stats = stats_out
    parts["normalize_conf"] = {**parts["normalize_conf"], "stats_file": str(Path(stats).resolve())}
    return parts


def pretrained_st_config(st_config: Dict[str, Any], model: PretrainedModel,
                         stats_out: Optional[Path] = None) -> Dict[str, Any]:
    """``st_config`` with the pretrained model's front end, normalisation and encoder, and
    the ``init_param`` of its weights (module docstring)."""
    config = {key: value for key, value in st_config.items() if key not in TAKEN}
    config.update(pretrained_parts(model, stats_out))
    config["init_param"] = init_params(model)
    return config


def write_pretrained_st_config(model: PathLike, st_config: PathLike, out_config: PathLike,
                               stats_out: Optional[PathLike] = None,
                               unpack_dir: Optional[PathLike] = None) -> Dict[str, Any]:
    """Write the ST config of :func:`pretrained_st_config` to ``out_config``; return it.

    ``model``: a folder, zip or ``.pth`` (:func:`espnet_lau.pretrained.model_dir.locate_pretrained`;
    a zip is unpacked into ``unpack_dir``). ``stats_out``: where the model's
    ``feats_stats.npz`` is copied (None: the config names the model's own file).
    """
    pretrained = locate_pretrained(str(model), Path(unpack_dir) if unpack_dir else None)
    config = pretrained_st_config(read_config(Path(st_config)), pretrained,
                                  Path(stats_out) if stats_out else None)
    header = (f"# {Path(st_config).name} with the front end, normalisation and encoder of\n"
              f"# {pretrained.config_path} (written by espnet_lau.bin.prepare_pretrained_encoder)\n")
    Path(out_config).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_config, header + yaml_no_alias_safe_dump(config, indent=4, sort_keys=False))
    encoder_conf = config.get("encoder_conf") or {}
    logging.info(f"{out_config}: encoder {config['encoder']} (output_size {encoder_conf.get('output_size', '?')}, "
                 f"{encoder_conf.get('num_blocks', '?')} blocks) initialised from {pretrained.model_file}")
    return config
