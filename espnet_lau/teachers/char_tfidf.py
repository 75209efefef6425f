"""Character n-gram TF-IDF, as this project defines it: one place for its settings.

scikit-learn's ``TfidfVectorizer`` over character n-grams inside word boundaries
(``char_wb``, 2-4 characters by default), sublinear term frequency, L2-normalised rows.
Two users share it: the ``tfidf`` control teacher
(:mod:`espnet_lau.teachers.controls`), which reduces these vectors to a dense
teacher space, and the teacher-independent evaluation embedder
(:mod:`espnet_lau.evaluation.tfidf_embedder`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, Tuple

if TYPE_CHECKING:  # scikit-learn (about 1.5 s to import) is imported when a vectorizer is fitted
    from sklearn.feature_extraction.text import TfidfVectorizer

#: Character n-gram sizes, smallest and largest.
CHAR_NGRAMS: Tuple[int, int] = (2, 4)


def fit_char_tfidf(texts: Sequence[str], ngram_range: Tuple[int, int] = CHAR_NGRAMS) -> TfidfVectorizer:
    """A ``TfidfVectorizer`` fitted on ``texts``: they fix its vocabulary and IDF weights.

    ``transform(N texts)`` then gives a sparse (N, V) matrix with unit-norm rows (an
    all-zero row for a text with no known n-gram).

    Raises:
        ValueError: no text to fit on.
    """
    if not texts:
        raise ValueError("character TF-IDF needs at least one text to fit on")
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=tuple(ngram_range), sublinear_tf=True, norm="l2"
    )
    return vectorizer.fit(list(texts))

