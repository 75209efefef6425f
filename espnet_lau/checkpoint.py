"""Reading PyTorch files (``*.pth``, ``checkpoint.pth``) with errors that name the file,
and the package's one state-dict reader (drift, export): weights only unless trusted.

torch's own errors for a truncated or corrupt file (``OSError: [Errno 22] Invalid
argument``, ``EOFError``, ``UnpicklingError``, ``UnicodeDecodeError``, ``PytorchStreamReader
failed ...``) name neither the file nor what to do.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any, Dict, Mapping, Union

import torch

from espnet_lau.errors import UserError


class CheckpointError(UserError, ValueError):
    """A PyTorch file is truncated or corrupt; the message names it and the fix."""


def torch_load(path: Union[str, Path], weights_only: bool = True) -> Any:
    """``torch.load(path, map_location="cpu")``, naming the file when it is unreadable.

    ``torch.save`` writes a zip archive: a file that is not one (any more), or whose
    archive torch cannot read, is reported as truncated or corrupt. Other failures (a
    missing file, ``weights_only`` refusing a pickled object) propagate as they are.

    Raises:
        CheckpointError: ``<path> is not a readable PyTorch file (...): ...; copy it
            again or re-run the stage that made it``.
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=weights_only)
    except Exception as exc:
        corrupt = Path(path).is_file() and (
            not zipfile.is_zipfile(path) or (isinstance(exc, RuntimeError) and "PytorchStreamReader" in str(exc))
        )
        if not corrupt:
            raise
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise CheckpointError(
            f"{path} is not a readable PyTorch file ({type(exc).__name__}: {reason}): it is truncated "
            "or corrupt (an interrupted copy or training?); copy it again or re-run the stage that made it"
        ) from exc


def load_state_dict(path: Union[str, Path], trust_pickle: bool = False) -> Dict[str, torch.Tensor]:
    """Load a model state dict from a plain ``*.pth`` state dict or an ESPnet
    ``checkpoint.pth`` (a dict whose ``"model"`` entry is the state dict).

    Args:
        path: the file.
        trust_pickle: allow arbitrary pickled objects (``weights_only=False``); only for
            files you made yourself. By default only tensors and plain containers load.
    """
    try:
        obj = torch_load(path, weights_only=not trust_pickle)
    except pickle.UnpicklingError as e:  # weights_only refusing a pickled object
        raise CheckpointError(
            f"{path}: cannot be loaded with weights_only=True ({str(e).splitlines()[0]}); if you "
            "trust this file, pass --trust_pickle true"
        ) from e
    if isinstance(obj, Mapping) and "model" in obj and isinstance(obj["model"], Mapping):
        obj = obj["model"]
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path}: not a state dict (got {type(obj).__name__})")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}
