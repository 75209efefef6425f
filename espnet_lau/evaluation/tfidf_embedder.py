"""An evaluation embedder independent of every neural training teacher: TF-IDF character n-grams.

Measuring LAU's outputs with the teacher it was trained toward is partly circular: the
model was pulled toward exactly that space. This embedder shares nothing with any neural
teacher. It is the project's character n-gram TF-IDF (:mod:`espnet_lau.teachers.char_tfidf`:
``char_wb``, 2-4 characters, sublinear term frequency), fitted on the **references** of the
evaluated set only, so that its vocabulary and weights do not depend on the system being
scored. Rows are L2-normalised, so a dot product is a cosine. (The ``tfidf`` control
teacher uses the same n-grams, reduced by SVD and fitted on the training targets: a model
trained toward it is not measured independently by this embedder.)
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

from espnet_lau.teachers.char_tfidf import CHAR_NGRAMS, fit_char_tfidf

NAME = "tfidf-char"


class TfidfCharEmbedder:
    """Fitted TF-IDF character n-gram vectors; ``encode`` gives dense (N, V) rows.

    Args:
        references: the texts that fix the vocabulary and IDF weights.
        ngram_range: character n-gram sizes.
    """

    def __init__(self, references: Sequence[str], ngram_range=CHAR_NGRAMS):
        if not references:
            raise ValueError("TfidfCharEmbedder needs at least one reference text")
        self.ngram_range = tuple(ngram_range)
        self.vectorizer = fit_char_tfidf(references, self.ngram_range)
        self.dim = len(self.vectorizer.vocabulary_)
        self.name = f"{NAME}({self.ngram_range[0]}-{self.ngram_range[1]})"
        self.fingerprint = f"sklearn TfidfVectorizer char_wb {self.ngram_range}, fit on {len(references)} references"

    def encode(self, texts: List[str]) -> np.ndarray:
        """texts -> (N, V) float32, L2-normalised (an all-zero row for a text with no known n-gram)."""
        return self.vectorizer.transform(list(texts)).toarray().astype(np.float32)
