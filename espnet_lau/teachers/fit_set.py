"""The fit set of a set-dependent teacher: the distinct normalised training targets.

The ``shuffle`` and ``tfidf`` control teachers (:mod:`espnet_lau.teachers.controls`)
are fitted on the training set's targets: ``shuffle`` permutes a real teacher's vectors
across them, ``tfidf`` learns its vocabulary, weights and SVD from them. Their outputs
therefore depend on the whole set, and the set's :attr:`FitSet.digest` is part of their
cache fingerprint: a changed fit set never reuses vectors cached for another one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path
from typing import Iterable, Optional

from espnet_lau.teachers.targets import read_targets
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.fileio import PathLike


@dataclasses.dataclass(frozen=True)
class FitSet:
    """Distinct sentences, sorted, already normalised the way the embedded texts are.

    Build it with :meth:`from_texts` or :func:`read_fit_set`, which sort and deduplicate:
    the order and repetitions of the training file never change what is fitted.

    Attributes:
        texts: the distinct normalised sentences, sorted.
        source: the file they were read from (absolute), or ``None``.
    """

    texts: tuple
    source: Optional[str] = None

    @classmethod
    def from_texts(cls, texts: Iterable[str], source: Optional[str] = None) -> "FitSet":
        """The fit set of ``texts`` (normalised already; repeats and order are ignored)."""
        distinct = tuple(sorted(set(texts)))
        if not distinct:
            raise ValueError(f"an empty fit set{f' ({source})' if source else ''}: no sentence to fit on")
        return cls(distinct, source)

    @property
    def label(self) -> str:
        """``the fit set <file>``, for messages."""
        return f"the fit set {self.source}" if self.source else "the fit set (given in memory)"

    def __len__(self) -> int:
        return len(self.texts)

    @functools.cached_property
    def digest(self) -> str:
        """sha256 (hex) of the sorted distinct texts, one per line: the set's identity."""
        return hashlib.sha256("".join(f"{t}\n" for t in self.texts).encode("utf-8")).hexdigest()

    def as_meta(self) -> dict:
        """What ``meta.json`` records of it: the file, the digest and the size."""
        return {"text": self.source, "sha256": self.digest, "num_texts": len(self.texts)}


def read_fit_set(path: PathLike, normalizer: Optional[TextNormalizer] = None) -> FitSet:
    """The fit set of a Kaldi ``text`` file (e.g. ``dump/raw/train/text.lc.rm.fr``).

    Args:
        path: the training set's target text, checked as :func:`read_targets` checks it.
        normalizer: the normalisation of the texts to be embedded (``None``: the default
            :class:`TextNormalizer`), so that a training sentence and the same sentence in
            another set are the same fit target.

    Raises:
        TextFileError: a bad line in ``path``.
    """
    targets = read_targets(path, normalizer)
    return FitSet.from_texts((t.text for t in targets), source=str(Path(path).resolve()))
