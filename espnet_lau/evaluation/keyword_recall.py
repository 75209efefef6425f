"""Keyword / answer recall without an LLM: normalised substring search in the output."""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

from espnet_lau.text.normalization import TextNormalizer

#: One "unit" is a list of alternatives: it is found when any alternative is found.
#: A gold QA item gives one unit (its accepted answers); an LLM keyword gives a unit of one.
Units = Mapping[str, Sequence[Sequence[str]]]


def keyword_recall(
    outputs: Mapping[str, str],
    units: Units,
    normalizer: TextNormalizer = TextNormalizer(),
) -> Dict[str, object]:
    """Share of keyword units found in the system outputs.

    A unit of utterance u is found when one of its alternatives, normalised, is a
    substring of the normalised output of u (case-insensitive when the normaliser
    lower-cases; the normaliser also strips punctuation on both sides). Alternatives
    that normalise to "" are ignored; a unit with none left is not counted.

    recall = #found units / #units (micro); ``utt_macro`` averages the per-utterance
    recall over utterances that have at least one unit.

    Args:
        outputs: ``{uttid: system output}``.
        units: ``{uttid: [[alternative, ...], ...]}``.
        normalizer: applied to outputs and keywords.

    Returns:
        ``{"recall", "utt_macro", "n_found", "n_units", "n_utts"}``, recalls in percent.
    """
    n_found = n_units = 0
    per_utt = []
    for uttid, utt_units in units.items():
        text = normalizer(outputs[uttid])
        found = total = 0
        for alternatives in utt_units:
            alts = [a for a in (normalizer(x) for x in alternatives) if a]
            if not alts:
                continue
            total += 1
            found += any(a in text for a in alts)
        if total:
            per_utt.append(found / total)
        n_found += found
        n_units += total
    if n_units == 0:
        raise ValueError("no keyword to look for")
    return {
        "recall": 100.0 * n_found / n_units,
        "utt_macro": 100.0 * sum(per_utt) / len(per_utt),
        "n_found": n_found,
        "n_units": n_units,
        "n_utts": len(per_utt),
    }
