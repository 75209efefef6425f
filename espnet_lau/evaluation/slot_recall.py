"""Slot recall on the mini corpus: how many of a meaning's slot values an output renders.

Every mini-corpus utterance has a meaning (``utt2meaning``: a template plus one value per
slot). A slot counts as recalled when any French form of its value (``riz``, ``du riz``,
``le riz``…, or an accepted QA answer; not the bare pronouns *il*, *elle*, *je*) occurs in the normalised output as whole words.
Recall is the share of recalled slots over all utterances; with ``utt2combination`` it is
also reported for the ``seen`` and ``unseen`` slot combinations separately, which tells
memorised combinations from generalisation.
"""

from __future__ import annotations

import re
from typing import Dict, Mapping, Optional

from espnet_lau.data.mini.grammar import meaning_from_id
from espnet_lau.text.normalization import TextNormalizer


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def slot_recall(
    hyps: Mapping[str, str],
    meanings: Mapping[str, str],
    combinations: Optional[Mapping[str, str]] = None,
    normalizer: Optional[TextNormalizer] = None,
) -> Dict[str, object]:
    """Share (percent) of slot values found in the outputs.

    Args:
        hyps: ``{uttid: output}``, already normalised or not (``normalizer`` is applied).
        meanings: ``{uttid: meaning id}`` for (a subset of) the outputs.
        combinations: ``{uttid: "seen" | "unseen"}`` (optional).

    Returns:
        ``{"recall", "n_slots", "n_found", "n_utts", "by_combination": {name: {...}}}``.
    """
    normalizer = normalizer or TextNormalizer()
    missing = sorted(set(meanings) - set(hyps))
    if missing:
        raise ValueError(f"{len(missing)} utterance(s) of the meaning file have no output, e.g. {missing[:3]}")
    counts: Dict[str, list] = {}
    for uttid, meaning_id in meanings.items():
        try:
            meaning = meaning_from_id(meaning_id)
        except (KeyError, ValueError):
            raise ValueError(f"utterance {uttid!r}: {meaning_id!r} is not a mini-corpus meaning id") from None
        hyp = normalizer(hyps[uttid])
        groups = ["all"] + ([combinations[uttid]] if combinations and uttid in combinations else [])
        for _, value in meaning.values:
            # "pron" (il, elle, je) would match almost any sentence: not a rendering of the value.
            renderings = [form for name, form in value.fr.items() if name != "pron"]
            forms = {normalizer(f) for f in (*renderings, *value.answers)} - {""}
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
