"""Has a run collapsed? Its hypotheses measured against the training targets.

A collapsed ST model stops listening: it emits one training sentence (or a handful) for
every utterance. Teacher-forced validation accuracy barely shows it (0.71 at test BLEU 12
against 0.78 at BLEU 39 on the high-variance corpus), so collapse is judged on the decoded
test hypotheses. Hypotheses and training targets are normalised as ``score_st`` scores
them (:class:`~espnet_lau.text.normalization.TextNormalizer`, lower case, punctuation
removed, ``'`` and ``-`` kept), then:

* ``in_training_share``: share of hypotheses identical to SOME training target;
* ``empty_share``: share of empty hypotheses;
* ``top_share`` (and ``top_hypothesis``): share of the single most frequent hypothesis;
* ``distinct``: number of distinct hypotheses.

**The rule** (:func:`collapse_reasons`): a run is *collapsed* when its most frequent
hypothesis makes up at least half of its output (``top_share ≥ 0.5``), or when its BLEU is
below that of the most-frequent-sentence system (the training set's most frequent target
given for every utterance, ``bin/most_frequent_baseline.py``) where that BLEU is known.
"""

from __future__ import annotations

import collections
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

#: A run whose most frequent hypothesis is at least this share of its output has collapsed.
COLLAPSE_TOP_SHARE = 0.5
#: The most frequent hypothesis is kept in the measures up to this many characters.
MAX_SHOWN_CHARS = 200
RULE = (f"collapsed: the most frequent hypothesis is ≥ {COLLAPSE_TOP_SHARE:.0%} of the output, or BLEU is "
        "below the most-frequent-sentence system's BLEU (the training set's most frequent target for "
        "every utterance) where that is known")


def most_frequent_target(targets: Mapping[str, str]) -> Tuple[str, int]:
    """The most frequent sentence of ``{uttid: target}`` and its count (ties: first seen).

    Raises:
        ValueError: no targets.
    """
    counts = collections.Counter(targets.values())
    if not counts:
        raise ValueError("no training targets")
    return counts.most_common(1)[0]


def collapse_measures(hypotheses: Sequence[str], training_targets: Set[str]) -> Dict[str, object]:
    """The collapse measures of normalised ``hypotheses`` (see the module docstring).

    Args:
        hypotheses: (N,) normalised hypotheses of one test set.
        training_targets: the normalised training targets.

    Returns:
        ``{"n", "in_training_share", "empty_share", "top_share", "top_hypothesis",
        "distinct"}``.

    Raises:
        ValueError: no hypotheses.
    """
    if not hypotheses:
        raise ValueError("no hypotheses")
    n = len(hypotheses)
    top, top_count = collections.Counter(hypotheses).most_common(1)[0]
    return {
        "n": n,
        "in_training_share": sum(h in training_targets for h in hypotheses) / n,
        "empty_share": sum(not h for h in hypotheses) / n,
        "top_share": top_count / n,
        "top_hypothesis": top[:MAX_SHOWN_CHARS],
        "distinct": len(set(hypotheses)),
    }


def collapse_reasons(
    top_share: float, bleu: Optional[float] = None, most_frequent_bleu: Optional[float] = None
) -> List[str]:
    """Why a run counts as collapsed (empty: it does not), by the module's rule."""
    reasons = []
    if top_share >= COLLAPSE_TOP_SHARE:
        reasons.append(f"most frequent hypothesis {top_share:.0%} of the output")
    if bleu is not None and most_frequent_bleu is not None and bleu < most_frequent_bleu:
        reasons.append(f"BLEU {bleu:.2f} below the most-frequent-sentence system's {most_frequent_bleu:.2f}")
    return reasons
