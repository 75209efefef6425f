"""An evaluation embedder independent of every training teacher: TF-IDF character n-grams.

Measuring LAU's outputs with the teacher it was trained toward is partly circular: the
model was pulled toward exactly that space. This embedder shares nothing with any neural
teacher. It is scikit-learn's ``TfidfVectorizer`` over character n-grams within word
boundaries (``char_wb``, 2-4 characters, sublinear term frequency), fitted on the
**references** of the evaluated set only, so that its vocabulary and weights do not depend
on the system being scored. Rows are L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

NAME = "tfidf-char"


class TfidfCharEmbedder:
    """Fitted TF-IDF character n-gram vectors; ``encode`` gives dense (N, V) rows.

    Args:
        references: the texts that fix the vocabulary and IDF weights.
        ngram_range: character n-gram sizes.
    """

    def __init__(self, references: Sequence[str], ngram_range=(2, 4)):
        if not references:
            raise ValueError("TfidfCharEmbedder needs at least one reference text")
        self.ngram_range = tuple(ngram_range)
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True, norm="l2"
        )
        self.vectorizer.fit(list(references))
        self.dim = len(self.vectorizer.vocabulary_)
        self.name = f"{NAME}({self.ngram_range[0]}-{self.ngram_range[1]})"
        self.fingerprint = f"sklearn TfidfVectorizer char_wb {self.ngram_range}, fit on {len(references)} references"

    def encode(self, texts: List[str]) -> np.ndarray:
        """texts -> (N, V) float32, L2-normalised (an all-zero row for a text with no known n-gram)."""
        return self.vectorizer.transform(list(texts)).toarray().astype(np.float32)
