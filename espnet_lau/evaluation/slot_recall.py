"""Slot recall on the mini corpus: how many of a meaning's slot values an output renders.

Every mini-corpus utterance has a meaning (a template plus one value per slot), and its
data directory says how each value may be rendered in French (``utt2slots``,
:mod:`espnet_lau.data.slots`: ``riz``, ``du riz``, ``le riz``…, and the accepted QA answers;
not a subject's bare pronoun). A slot counts as recalled when any of its renderings occurs
in the normalised output as whole words. Recall is the share of recalled slots over all
utterances; with ``utt2combination`` it is also reported for the ``seen`` and ``unseen``
slot combinations separately, which tells memorised combinations from generalisation.

Scoring reads the data directory only: it never imports the corpus generator.
"""

from __future__ import annotations

import re
from typing import Dict, Mapping, Optional, Sequence

from espnet_lau.text.normalization import TextNormalizer


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def slot_recall(
    hyps: Mapping[str, str],
    slots: Mapping[str, Mapping[str, Sequence[str]]],
    combinations: Optional[Mapping[str, str]] = None,
    normalizer: Optional[TextNormalizer] = None,
) -> Dict[str, object]:
    """Share (percent) of slot values found in the outputs.

    Args:
        hyps: ``{uttid: output}``, already normalised or not (``normalizer`` is applied).
        slots: ``{uttid: {slot: [French renderings of its value]}}`` for (a subset of) the
            outputs (:func:`espnet_lau.data.slots.read_slots`).
        combinations: ``{uttid: "seen" | "unseen"}`` (optional).

    Returns:
        ``{"recall", "n_slots", "n_found", "n_utts", "by_combination": {name: {...}}}``.
    """
    normalizer = normalizer or TextNormalizer()
    missing = sorted(set(slots) - set(hyps))
    if missing:
        raise ValueError(f"{len(missing)} utterance(s) of the slots file have no output, e.g. {missing[:3]}")
    counts: Dict[str, list] = {}
    for uttid, utt_slots in slots.items():
        hyp = normalizer(hyps[uttid])
        groups = ["all"] + ([combinations[uttid]] if combinations and uttid in combinations else [])
        for renderings in utt_slots.values():
            forms = {normalizer(f) for f in renderings} - {""}
            found = any(_contains(hyp, form) for form in forms)
            for group in groups:
                counts.setdefault(group, [0, 0, set()])
                counts[group][0] += 1
                counts[group][1] += int(found)
                counts[group][2].add(uttid)

    def block(name: str) -> Dict[str, object]:
        n_slots, n_found, utts = counts[name]
        return {"recall": 100.0 * n_found / n_slots, "n_slots": n_slots, "n_found": n_found, "n_utts": len(utts)}

    if "all" not in counts:
        raise ValueError("no utterance to score slot recall on")
    return {**block("all"), "by_combination": {k: block(k) for k in sorted(counts) if k != "all"}}
