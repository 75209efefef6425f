"""Reading PyTorch files (``*.pth``, ``checkpoint.pth``): the package's one loader and its
pickle policy, with errors that name the file.

A ``.pth`` is a pickle: loading it with ``torch.load(weights_only=False)`` runs whatever
code its author put in it. Every ``.pth`` the package reads goes through
:func:`load_checkpoint`, which loads with ``weights_only=True``: tensors, plain containers
and numbers, plus the few objects ESPnet's ``checkpoint.pth`` pickles besides
(:data:`ESPNET_CHECKPOINT_GLOBALS`). Anything else is refused in one line, unless the user
passes ``--trust_pickle true`` (then a WARNING says the file was unpickled). Files that
ESPnet itself unpickles with ``weights_only=False`` (``--init_param``, ``Speech2Text``'s
model file) are checked first with :func:`check_before_unpickling` /
:func:`check_init_params`.

torch's own errors for a truncated or corrupt file (``OSError: [Errno 22] Invalid
argument``, ``EOFError``, ``UnpicklingError``, ``UnicodeDecodeError``, ``PytorchStreamReader
failed ...``) name neither the file nor what to do.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import pickle
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Union

import numpy as np
from espnet2.utils.types import str2bool

from espnet_lau.utils.errors import UserError

# torch is imported where a file is read, so that a tool that only declares --trust_pickle
# starts without it.
if TYPE_CHECKING:
    import torch

try:
    from numpy._core.multiarray import scalar as _numpy_scalar
except ImportError:  # numpy < 2
    from numpy.core.multiarray import scalar as _numpy_scalar

#: What ESPnet's trainer pickles in ``checkpoint.pth`` besides tensors and plain containers
#: (read from a real training's file with ``torch.serialization.get_unsafe_globals_in_checkpoint``):
#: the Reporter's per-epoch statistics are numpy scalars (``np.nanmean``) and a
#: ``datetime.timedelta`` per phase (``time``). Optimiser, scheduler and scaler states are
#: plain. Numeric numpy scalars only: no arrays, no object or string dtypes.
ESPNET_CHECKPOINT_GLOBALS = [
    datetime.timedelta,
    np.dtype,
    _numpy_scalar,
    *sorted({type(np.dtype(kind)) for kind in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
        np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128)}, key=str),
]

#: How torch's weights-only unpickler names the object it refused, in its message.
_REFUSED = [re.compile(pattern) for pattern in (
    r"GLOBAL (\S+) was not an allowed global",
    r"unsupported GLOBAL (\S+) whose module",
    r"but got <class '([^']+)'>",
    r"unrecognized function (.+?)(?: which belongs|$)",
)]

TRUST_PICKLE_HELP = (
    "true: load .pth files that hold pickled objects other than tensors with "
    "torch.load(weights_only=False), which runs their code; only for files you made yourself"
)


class CheckpointError(UserError, ValueError):
    """A PyTorch file is truncated, corrupt or not what was asked; the message names it and the fix."""


class UntrustedPickleError(CheckpointError):
    """A ``.pth`` holds pickled objects other than tensors, and ``--trust_pickle`` is not true."""

    def __init__(self, path: Union[str, Path], refused: str):
        self.path, self.refused = str(path), refused
        super().__init__(
            f"{path}: holds pickled objects other than tensors ({refused}); it can run code when "
            "loaded: pass --trust_pickle true only if you made this file"
        )


def add_trust_pickle_option(parser: argparse.ArgumentParser) -> None:
    """``--trust_pickle true|false`` (default false), the same for every tool."""
    parser.add_argument("--trust_pickle", type=str2bool, default=False, help=TRUST_PICKLE_HELP)


def refused_global(message: str) -> Optional[str]:
    """The object torch's weights-only unpickler refused, from its error message, if it names one."""
    for pattern in _REFUSED:
        match = pattern.search(message)
        if match:
            return match.group(1).strip()
    return None


def torch_load(path: Union[str, Path], weights_only: bool = True) -> Any:
    """``torch.load(path, map_location="cpu")``, naming the file when it is unreadable.

    With ``weights_only`` (the default), :data:`ESPNET_CHECKPOINT_GLOBALS` are allowed
    besides torch's own list. ``torch.save`` writes a zip archive: a file that is not one
    (any more), or whose archive torch cannot read, is reported as truncated or corrupt.
    Other failures (a missing file) propagate as they are.

    Raises:
        UntrustedPickleError: ``weights_only`` refused a pickled object.
        CheckpointError: ``<path> is not a readable PyTorch file (...): ...; copy it
            again or re-run the stage that made it``.
    """
    import torch

    try:
        if not weights_only:
            return torch.load(path, map_location="cpu", weights_only=False)
        with torch.serialization.safe_globals(ESPNET_CHECKPOINT_GLOBALS):
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        refused = refused_global(str(exc)) if isinstance(exc, pickle.UnpicklingError) else None
        if refused is not None:
            raise UntrustedPickleError(path, refused) from None
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


def load_checkpoint(path: Union[str, Path], trust_pickle: bool = False) -> Any:
    """The package's one loader for a ``.pth``: weights only, unless the user trusts the file.

    Loads with ``weights_only=True`` first (ESPnet's ``checkpoint.pth`` loads so). A file
    that holds other pickled objects is refused, or, with ``trust_pickle``, loaded with
    ``weights_only=False`` after a WARNING that says so and why.

    Raises:
        UntrustedPickleError: ``<path>: holds pickled objects other than tensors (<global>);
            it can run code when loaded: pass --trust_pickle true only if you made this file``.
        CheckpointError: the file is truncated or corrupt.
    """
    try:
        return torch_load(path, weights_only=True)
    except UntrustedPickleError as refused:
        if not trust_pickle:
            raise
        logging.warning(f"{path}: loaded with torch.load(weights_only=False), as --trust_pickle true "
                        f"allows: it holds pickled objects other than tensors ({refused.refused})")
        return torch_load(path, weights_only=False)


def check_before_unpickling(path: Union[str, Path], trust_pickle: bool, reader: str) -> None:
    """Check a ``.pth`` that ``reader`` (ESPnet code) will load with ``weights_only=False``.

    The file must load with weights only (as :func:`load_checkpoint`); one that does not is
    refused, or, with ``trust_pickle``, left to ``reader`` after a WARNING.

    Raises:
        UntrustedPickleError: as :func:`load_checkpoint`.
    """
    try:
        torch_load(path, weights_only=True)
    except UntrustedPickleError as refused:
        if not trust_pickle:
            raise
        logging.warning(f"{path}: {reader} loads it with torch.load(weights_only=False), as --trust_pickle "
                        f"true allows: it holds pickled objects other than tensors ({refused.refused})")


def check_init_params(init_params: Optional[Iterable[str]], trust_pickle: bool) -> None:
    """Check the file of every ESPnet ``--init_param`` before ESPnet unpickles it.

    ``espnet2.torch_utils.load_pretrained_model`` reads ``<file>:<src_key>:<dst_key>:<exclude>``
    (split as ESPnet does, ``split(":", 4)``) with ``torch.load(weights_only=False)``.

    Raises:
        UntrustedPickleError: naming the file (see :func:`check_before_unpickling`).
    """
    for init_param in init_params or ():
        check_before_unpickling(init_param.split(":", 4)[0], trust_pickle, "ESPnet's --init_param")


def load_state_dict(path: Union[str, Path], trust_pickle: bool = False) -> Dict[str, torch.Tensor]:
    """Load a model state dict from a plain ``*.pth`` state dict or an ESPnet
    ``checkpoint.pth`` (a dict whose ``"model"`` entry is the state dict).

    Args:
        path: the file.
        trust_pickle: allow arbitrary pickled objects (see :func:`load_checkpoint`); only
            for files you made yourself.
    """
    import torch

    obj = load_checkpoint(path, trust_pickle=trust_pickle)
    if isinstance(obj, Mapping) and "model" in obj and isinstance(obj["model"], Mapping):
        obj = obj["model"]
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path}: not a state dict (got {type(obj).__name__})")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}
