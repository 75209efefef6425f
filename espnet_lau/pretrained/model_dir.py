"""A pretrained ESPnet model as a user holds it: its ``config.yaml``, its ``.pth`` and the
files its config names, found and resolved, or one line saying what is missing.

Accepted forms of ``PATH``:

* a packed zip (``espnet2.bin.pack``, as the zoo serves it): unpacked only inside the
  folder the caller gives (:func:`espnet_lau.utils.archive.extract`, every entry checked);
* a model folder with ``meta.yaml`` (an unpacked zip, a Hugging Face ESPnet repository:
  OWSM v3.1/v4, ASR or ST models): ``<task>_train_config`` and ``<task>_model_file`` of
  the same task (``asr``, ``st``, ``s2t``, ...), every path inside the folder;
* an experiment folder (``exp/asr_x/``: ``config.yaml`` next to ``valid.acc.ave.pth`` or
  another model file), or a folder whose ``exp/*/`` holds exactly one such experiment;
* a ``.pth`` file, with the ``config.yaml`` of its folder.

Paths inside ``config.yaml`` (``normalize_conf.stats_file``) are relative to where the model
was trained or unpacked: they are looked for under the model's root (the folder of
``meta.yaml``), then the config's folder and each folder above it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from espnet_lau.utils.archive import META, extract, inside
from espnet_lau.utils.errors import UserError

#: Model files preferred in an experiment folder, best first (ESPnet's averaged models).
PREFERRED_MODEL_FILES = ("valid.acc.ave.pth", "valid.acc.best.pth", "valid.loss.ave.pth", "valid.loss.best.pth")
#: Files of an experiment folder that are not models to initialise from.
NOT_MODELS = ("checkpoint.pth",)


class PretrainedModelError(UserError, ValueError):
    """A pretrained model folder, zip or file lacks what the ST config needs."""


@dataclass(frozen=True)
class PretrainedModel:
    """One pretrained ESPnet model: its root, its training config (read) and model file."""

    root: Path  # the folder that relative config paths start from first
    config_path: Path
    model_file: Path
    config: Dict[str, Any]

    def resolve(self, value: str, key: str) -> Path:
        """The file that ``value`` (a path in ``config.yaml`` under ``key``) names.

        Raises:
            PretrainedModelError: no such file under the root, the config's folder or above.
        """
        path = Path(value)
        candidates = [path] if path.is_absolute() else [
            self.root / path, *(folder / path for folder in [self.config_path.parent, *self.config_path.parent.parents])]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        raise PretrainedModelError(
            f"{self.config_path}: {key} names {value}, which is not under {self.root} nor any folder above "
            f"{self.config_path.parent}: copy that file there (it comes with the model: unpack all of it)")


def read_config(path: Path) -> Dict[str, Any]:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PretrainedModelError(f"{path}: not valid YAML: " + " ".join(str(exc).split())) from None
    if not isinstance(config, dict):
        raise PretrainedModelError(f"{path}: not an ESPnet training config (not a mapping)")
    return config


def from_meta(folder: Path) -> PretrainedModel:
    """The model a ``meta.yaml`` names (``<task>_train_config`` + ``<task>_model_file``)."""
    meta_path = folder / META
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    files = {**(meta.get("yaml_files") or {}), **(meta.get("files") or {})} if isinstance(meta, dict) else {}
    tasks = [key[: -len("_train_config")] for key in files
             if key.endswith("_train_config") and f"{key[: -len('_train_config')]}_model_file" in files]
    if not tasks:
        raise PretrainedModelError(f"{meta_path} names no <task>_train_config with its <task>_model_file "
                                   f"(it has {', '.join(files) or 'nothing'}): not an ESPnet speech model")
    task = tasks[0]
    paths = {}
    for key in (f"{task}_train_config", f"{task}_model_file"):
        name = files[key]
        if not isinstance(name, str) or not inside(folder, name) or not (folder / name).is_file():
            raise PretrainedModelError(f"{meta_path}: {key} names {name!r}, not a file inside {folder}")
        paths[key] = folder / name
    config_path = paths[f"{task}_train_config"]
    return PretrainedModel(folder, config_path, paths[f"{task}_model_file"], read_config(config_path))


def model_file_of(folder: Path) -> Path:
    """The model file of an experiment folder (:data:`PREFERRED_MODEL_FILES`, else the only ``.pth``)."""
    for name in PREFERRED_MODEL_FILES:
        if (folder / name).is_file():
            return folder / name
    pths = sorted(p for p in folder.glob("*.pth") if p.name not in NOT_MODELS)
    if len(pths) == 1:
        return pths[0]
    listed = ", ".join(p.name for p in pths) or "none"
    raise PretrainedModelError(f"{folder} holds {len(pths)} model files ({listed}): give the one to start "
                               "from as PATH (a .pth next to its config.yaml)")


def from_experiment(folder: Path, model_file: Optional[Path] = None) -> PretrainedModel:
    """A folder with ``config.yaml`` (and a model file): a training's output folder."""
    config_path = folder / "config.yaml"
    model_file = model_file or model_file_of(folder)
    root = folder.parent.parent if folder.parent.name == "exp" else folder
    return PretrainedModel(root, config_path, model_file, read_config(config_path))


def locate_pretrained(path: str, unpack_dir: Optional[Path] = None) -> PretrainedModel:
    """The model at ``path`` in any accepted form (module docstring); a zip is unpacked
    into ``unpack_dir``.

    Raises:
        PretrainedModelError: one line naming what is missing and what to give instead.
    """
    given = Path(path)
    if given.is_file() and given.suffix == ".pth":
        if not (given.parent / "config.yaml").is_file():
            raise PretrainedModelError(f"{given.parent} has no config.yaml next to {given.name}: give the "
                                       "model's folder or zip (config.yaml and the .pth it trained)")
        return from_experiment(given.parent, given)
    if given.is_file():
        if not zipfile.is_zipfile(given):
            raise PretrainedModelError(f"{given}: neither a zip of espnet2.bin.pack, a model folder nor a .pth")
        if unpack_dir is None:
            raise PretrainedModelError(f"{given} is a zip: give a folder to unpack it into (--unpack_dir)")
        extract(given, unpack_dir)
        return from_meta(Path(unpack_dir))
    if not given.is_dir():
        raise FileNotFoundError(f"{given}: no such pretrained model (a folder, a zip or a .pth)")
    if (given / META).is_file():
        return from_meta(given)
    if (given / "config.yaml").is_file():
        return from_experiment(given)
    experiments: List[Path] = sorted(p.parent for p in given.glob("exp/*/config.yaml"))
    if len(experiments) == 1:
        return from_experiment(experiments[0])
    raise PretrainedModelError(
        f"{given} has no meta.yaml, no config.yaml and {len(experiments)} exp/*/config.yaml: give the "
        "folder of one model (its config.yaml and .pth), its .pth, or its packed zip")
