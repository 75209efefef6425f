"""An OWSM checkpoint folder, as ``espnet_model_zoo`` (or a Hugging Face download) unpacks it.

The folder holds, somewhere below it, the training ``config.yaml`` (with ``token_list``
inline, or naming a tokens file), the weights (``*.pth``), the sentencepiece model
(``bpe.model``) and the global-MVN statistics (``feats_stats.npz``). Paths in the config
are resolved inside the folder (absolute paths of an unpacked zoo model, or relative to
the folder as on the hub); a path that leads outside it is not followed, and each file
can also be named explicitly. The config is read with ``yaml.safe_load``; nothing here
unpickles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import yaml

from espnet_lau.utils.errors import UserError


class CheckpointDirError(UserError, ValueError):
    """The folder is not an OWSM checkpoint folder, or one of its files is ambiguous."""


@dataclass
class OWSMCheckpoint:
    """The files of an OWSM checkpoint folder and its token list."""

    root: Path
    config_path: Path
    model_file: Path
    bpemodel: Path
    stats_file: Path
    config: dict
    token_list: List[str]


def _inside(path: Path, root: Path) -> bool:
    return path.resolve() == root or root in path.resolve().parents


def _read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CheckpointDirError(f"{path}: not readable YAML ({exc})") from None


def _only(root: Path, pattern: str, what: str, option: str, candidates=None) -> Path:
    found = sorted(candidates if candidates is not None else root.rglob(pattern))
    if len(found) != 1:
        listed = ", ".join(str(p.relative_to(root)) for p in found[:5]) or "none"
        raise CheckpointDirError(
            f"{root}: {len(found)} {what} files ({pattern}: {listed}): name the one to use with {option}"
        )
    return found[0]


def _resolve(root: Path, named: Optional[str], pattern: str, what: str, option: str) -> Path:
    """The file ``named`` in the config, inside ``root``; else the only ``pattern`` file of ``root``."""
    if isinstance(named, str) and named:
        for candidate in (Path(named), root / named):
            if candidate.is_file() and _inside(candidate, root):
                return candidate
    return _only(root, pattern, what, option)


def _given(path: Optional[str], what: str) -> Optional[Path]:
    if path is None:
        return None
    if not Path(path).is_file():
        raise CheckpointDirError(f"{path} ({what}) does not exist")
    return Path(path)


def read_token_file(path: Path) -> List[str]:
    try:
        return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointDirError(f"{path}: not a readable token list ({exc})") from None


def locate_checkpoint(root, config: Optional[str] = None, model_file: Optional[str] = None,
                      bpemodel: Optional[str] = None, stats_file: Optional[str] = None,
                      token_list: Optional[str] = None) -> OWSMCheckpoint:
    """Find the files of the OWSM checkpoint folder ``root`` (any given file is used as is).

    Raises:
        CheckpointDirError: a file is missing or ambiguous (the message lists the
            candidates and the option that picks one), or the config is not an S2T one.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise CheckpointDirError(f"{root} is not a folder (an OWSM checkpoint folder, as espnet_model_zoo unpacks it)")
    config_path = _given(config, "--config")
    if config_path is None:
        configs = [p for p in root.rglob("config.yaml")
                   if isinstance(c := _read_yaml(p), dict) and "token_list" in c and "decoder" in c]
        config_path = _only(root, "config.yaml", "S2T training config", "--config", configs)
    conf = _read_yaml(config_path)
    if not isinstance(conf, dict) or "token_list" not in conf:
        raise CheckpointDirError(f"{config_path}: not an S2T training config (no token_list)")
    model = _given(model_file, "--model_file") or _only(
        config_path.parent, "*.pth", "weight", "--model_file")
    bpe = _given(bpemodel, "--bpemodel") or _resolve(root, conf.get("bpemodel"), "bpe.model", "sentencepiece", "--bpemodel")
    stats_named = (conf.get("normalize_conf") or {}).get("stats_file")
    stats = _given(stats_file, "--stats_file") or _resolve(root, stats_named, "feats_stats.npz", "statistics", "--stats_file")
    tokens_file = _given(token_list, "--token_list")
    if tokens_file is None and isinstance(conf["token_list"], str):
        tokens_file = _resolve(root, conf["token_list"], "tokens.txt", "token list", "--token_list")
    tokens = read_token_file(tokens_file) if tokens_file is not None else list(conf["token_list"])
    if len(set(tokens)) != len(tokens):
        raise CheckpointDirError(f"{tokens_file or config_path}: the token list has duplicate tokens")
    return OWSMCheckpoint(root, config_path, model, bpe, stats, conf, tokens)
