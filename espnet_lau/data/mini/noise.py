"""The mini corpus's noisy training targets: surface noise and label (meaning) noise.

Surface noise corrupts a French target like an amateur translation, the meaning
surviving (:func:`add_translation_noise`); label noise changes what it means
(:func:`corrupt_meaning`). :func:`espnet_lau.data.mini.generate.generate_mini_corpus`
picks which training utterances get which.
"""

from __future__ import annotations

import random
from typing import Sequence, Tuple

from espnet_lau.data.mini.grammar import Meaning
from espnet_lau.data.mini.lexicon import SLOTS

#: Kinds of surface noise (the meaning survives) and of semantic label noise.
SURFACE_NOISE = ("drop", "swap")
LABEL_NOISE = ("wrong_slot", "dropped_clause", "other_utterance")


def add_translation_noise(text: str, rng: random.Random, avoid: Sequence[str] = ()) -> Tuple[str, str]:
    """Corrupt a French sentence like an amateur translator: drop one word or swap two
    neighbouring words. The result differs from ``text`` and from every string in ``avoid``.

    Returns:
        (noisy text, ``"drop"`` or ``"swap"``).
    """
    body, end = (text[:-1], text[-1]) if text[-1:] in ".!?" else (text, "")
    words = body.split()
    forbidden = {text, *avoid}
    for _ in range(20):
        kind = rng.choice(("drop", "swap"))
        noisy = list(words)
        if kind == "drop" and len(words) > 2:
            del noisy[rng.randrange(len(words))]
        else:
            kind = "swap"
            i = rng.randrange(len(words) - 1)
            noisy[i], noisy[i + 1] = noisy[i + 1], noisy[i]
        result = " ".join(noisy) + end
        result = result[:1].upper() + result[1:]
        if result not in forbidden:
            return result, kind
    raise ValueError(f"could not corrupt {text!r}")


def corrupt_meaning(
    meaning: Meaning, index: int, pool: Sequence[Meaning], rng: random.Random
) -> Tuple[str, str, str]:
    """Corrupt paraphrase ``index`` of ``meaning`` in meaning, like a careless translator.

    Kinds (drawn uniformly): ``wrong_slot`` (one slot's value replaced by another value
    of that slot), ``dropped_clause`` (one slot's words left out), ``other_utterance``
    (a paraphrase of another meaning of the training pool).

    Returns:
        (target, kind, id of the meaning the target expresses).
    """
    kind = rng.choice(LABEL_NOISE)
    slots = [slot for slot, _ in meaning.values]
    if kind == "wrong_slot":
        slot = rng.choice(slots)
        current = dict(meaning.values)[slot]
        replacement = rng.choice([v for v in SLOTS[slot] if v.key != current.key])
        other = Meaning(meaning.template, tuple((s, replacement if s == slot else v) for s, v in meaning.values))
        return other.paraphrases()[index], kind, other.id
    if kind == "dropped_clause":
        slot = rng.choice(slots)
        dropped = ",".join(f"{s}={'-' if s == slot else v.key}" for s, v in meaning.values)
        return meaning.french_without(slot, index), kind, f"{meaning.template.name}:{dropped}"
    other = rng.choice([m for m in pool if m.template.name != meaning.template.name])
    return rng.choice(other.paraphrases()), kind, other.id
