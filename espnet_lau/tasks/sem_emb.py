"""The ``sem_emb`` data of LAU training: one teacher vector per utterance, checked.

``sem_emb`` is an optional data name of the LAU tasks: an ``npy`` scp (made by
``python -m espnet_lau.bin.embed_text``, with ``meta.json`` beside it) listing one (E,)
float vector per utterance.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import List, Tuple

import numpy as np

from espnet_lau.utils.errors import UserError

SEM_EMB = "sem_emb"

DATA_OPTIONS = ("train_data_path_and_name_and_type", "valid_data_path_and_name_and_type")


class SemEmbError(UserError, ValueError):
    """A ``sem_emb`` vector is unreadable, of the wrong shape or not finite."""


def sem_emb_scps(args: argparse.Namespace, options: Tuple[str, ...] = DATA_OPTIONS) -> List[str]:
    """Paths of every ``sem_emb`` scp given to ``options`` (default: training and validation)."""
    paths = []
    for option in options:
        for path, name, _type in getattr(args, option, None) or []:
            if name == SEM_EMB:
                paths.append(path)
    return paths


def read_sem_emb_dim(scp: str) -> int:
    """Embedding dimension of an ``npy`` scp, from the first vector it lists.

    ``meta.json`` written next to the scp by ``embed_text`` is checked against it.
    """
    with open(scp, encoding="utf-8") as f:
        first = f.readline().split(maxsplit=1)
    if len(first) != 2:
        raise SemEmbError(f"{scp}: line 1 is not 'uttid path.npy' (empty scp?)")
    vector = np.load(first[1].strip(), mmap_mode="r")
    if vector.ndim != 1:
        raise SemEmbError(
            f"{scp}: utterance {first[0]!r} has an embedding of shape {vector.shape}; "
            "sem_emb must hold one 1-D vector per utterance"
        )
    meta = Path(scp).parent / "meta.json"
    if meta.exists():
        meta_dim = json.loads(meta.read_text(encoding="utf-8")).get("dim")
        if meta_dim is not None and meta_dim != vector.shape[0]:
            raise SemEmbError(
                f"{meta} says dim={meta_dim} but {first[1].strip()} has "
                f"{vector.shape[0]} values"
            )
    return int(vector.shape[0])


def check_sem_emb_vectors(scp: str, loader, keys) -> int:
    """Check every ``sem_emb`` vector of ``keys`` before training starts.

    ESPnet's collate function zero-pads vectors of different sizes, so a wrong-size vector
    would train silently on padding. Each vector must be a finite 1-D float array of the
    dimension ``meta.json`` states (else the first vector's).

    Args:
        scp: the ``sem_emb.scp`` (for the messages).
        loader: its ``NpyScpReader`` (``get_path``).
        keys: the utterances to check.

    Returns:
        the dimension E.

    Raises:
        SemEmbError: naming the utterance, its file and what is wrong, and what to do.
    """
    keys = sorted(keys)
    expected = read_sem_emb_dim(scp) if keys else 0
    for key in keys:
        path = loader.get_path(key)
        try:
            vector = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SemEmbError(f"{scp}: utterance {key!r}: cannot read {path} ({exc}): re-run embed_text") from None
        if vector.shape != (expected,) or vector.dtype.kind != "f":
            raise SemEmbError(
                f"{scp}: utterance {key!r} has a sem_emb of shape {vector.shape} ({vector.dtype}) in "
                f"{path}, the others ({expected},) float: re-run embed_text on the training text"
            )
        if not np.isfinite(vector).all():
            raise SemEmbError(f"{scp}: utterance {key!r}: {path} holds NaN or Inf: re-run embed_text")
    return expected
