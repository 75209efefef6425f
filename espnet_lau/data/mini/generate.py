"""The text side of the mini corpus: which meaning, speaker and target each utterance has.

Everything is drawn from random streams named by the seed and a purpose, so a seed gives
the same held-out combinations (:func:`split_combinations`), speakers of each set
(:func:`assign_speakers`) and meanings whatever ``paraphrases`` and the noise; the noise
itself is :mod:`espnet_lau.data.mini.noise`. Synthesis and writing are
:func:`espnet_lau.data.mini.corpus.prepare_mini_corpus`.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from typing import Dict, List, Mapping, Sequence, Tuple

from espnet_lau.data.mini.config import EXTRA_ASR_SET, SIZES, CorpusSize, MiniCorpusConfig
from espnet_lau.data.mini.grammar import BAMBARA_PARTICLES, SOURCE_VARIANTS, Meaning, all_meanings
from espnet_lau.data.mini.noise import add_translation_noise, corrupt_meaning
from espnet_lau.data.mini.speakers import SPEAKER_POOL, Speaker
from espnet_lau.data.mini.templates import TEMPLATES


@dataclasses.dataclass(frozen=True)
class MiniUtterance:
    """A generated utterance, before synthesis.

    Attributes:
        target: the French target (train: one paraphrase, maybe noised; dev/test: the
            first reference). Empty for the extra ASR set.
        references: all paraphrases (dev/test) or empty.
        noise: ``none``, one of :data:`~espnet_lau.data.mini.noise.SURFACE_NOISE` or of
            :data:`~espnet_lau.data.mini.noise.LABEL_NOISE` (train).
        target_meaning: the meaning the target expresses: the utterance's own, another
            one (``wrong_slot``, ``other_utterance``), or its own with the dropped slot
            as ``-`` (``dropped_clause``).
        source_variant: one of :data:`~espnet_lau.data.mini.grammar.SOURCE_VARIANTS`;
            ``bambara`` is that sentence.
        seen: whether the slot combination occurs in the training pool.
    """

    uttid: str
    set_name: str
    speaker: Speaker
    meaning: Meaning
    target: str
    references: Tuple[str, ...] = ()
    noise: str = "none"
    target_meaning: str = ""
    source_variant: str = "canonical"
    particle: str = BAMBARA_PARTICLES[0]
    seen: bool = True

    @property
    def bambara(self) -> str:
        return self.meaning.bambara(self.source_variant, self.particle)


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(f"lau-mini:{seed}:{purpose}")


def split_combinations(seed: int, heldout_rate: float) -> Tuple[List[Meaning], List[Meaning]]:
    """Split every template's combinations into (train pool, held-out).

    Only templates with two or more slots hold combinations out, and a combination is held
    out only if each of its values still occurs in the train pool of its template.
    """
    rng = _rng(seed, "heldout")
    pool, heldout = [], []
    for template in TEMPLATES:
        meanings = all_meanings(template)
        if len(template.slots) < 2 or heldout_rate <= 0:
            pool.extend(meanings)
            continue
        order = list(range(len(meanings)))
        rng.shuffle(order)
        target = max(1, round(heldout_rate * len(meanings)))
        remaining = {(slot, v.key): 0 for m in meanings for slot, v in m.values}
        for m in meanings:
            for slot, v in m.values:
                remaining[(slot, v.key)] += 1
        held = set()
        for i in order:
            if len(held) >= target:
                break
            pairs = [(slot, v.key) for slot, v in meanings[i].values]
            if all(remaining[p] > 1 for p in pairs):
                held.add(i)
                for p in pairs:
                    remaining[p] -= 1
        pool.extend(m for i, m in enumerate(meanings) if i not in held)
        heldout.extend(m for i, m in enumerate(meanings) if i in held)
    return pool, heldout


def assign_speakers(seed: int, size: CorpusSize) -> Dict[str, List[Speaker]]:
    """Speakers of each set: the first ``size.num_speakers`` of
    :data:`~espnet_lau.data.mini.speakers.SPEAKER_POOL`, with dev and test drawn (seeded,
    alternating female/male) so both have both genders."""
    if size.num_speakers > len(SPEAKER_POOL):
        raise ValueError(f"{size.num_speakers} speakers requested, the pool has {len(SPEAKER_POOL)}")
    chosen = list(SPEAKER_POOL[: size.num_speakers])
    rng = _rng(seed, "speakers")
    by_gender = {g: [s for s in chosen if s.gender == g] for g in ("f", "m")}
    for group in by_gender.values():
        rng.shuffle(group)
    interleaved = [
        s for pair in itertools.zip_longest(by_gender["f"], by_gender["m"]) for s in pair if s is not None
    ]
    n_test, n_dev = size.test_speakers, size.dev_speakers
    sets = {
        "test": interleaved[:n_test],
        "dev": interleaved[n_test : n_test + n_dev],
        "train": interleaved[n_test + n_dev :],
    }
    return {name: sorted(spks, key=lambda s: s.id) for name, spks in sets.items()}


def _sample_meaning(rng: random.Random, by_topic: Mapping[str, Mapping[str, List[Meaning]]]) -> Meaning:
    topic = rng.choice(sorted(by_topic))
    template = rng.choice(sorted(by_topic[topic]))
    return rng.choice(by_topic[topic][template])


def _group(meanings: Sequence[Meaning]) -> Dict[str, Dict[str, List[Meaning]]]:
    grouped: Dict[str, Dict[str, List[Meaning]]] = {}
    for m in meanings:
        grouped.setdefault(m.topic, {}).setdefault(m.template.name, []).append(m)
    return grouped


def generate_mini_corpus(config: MiniCorpusConfig) -> Dict[str, List[MiniUtterance]]:
    """Generate the text side of the corpus: ``{set name: utterances sorted by uttid}``.

    Sets: ``train``, ``dev``, ``test`` and, if ``config.asr_extra_utts``, ``train_asr_extra``.
    Uttids are ``<speaker>-<set>-<index:06d>``. Dev and test draw half of their meanings
    from the held-out combinations (see :func:`split_combinations`).
    """
    size = SIZES[config.size]
    counts = config.counts()
    speakers = assign_speakers(config.seed, size)
    speakers[EXTRA_ASR_SET] = speakers["train"]
    pool, heldout = split_combinations(config.seed, config.heldout_rate)
    pool_groups, heldout_groups = _group(pool), _group(heldout)

    corpus: Dict[str, List[MiniUtterance]] = {}
    for set_name, n in counts.items():
        rng = _rng(config.seed, f"sentences:{set_name}")
        # Own streams for the target and the source variant: the utterances (meanings,
        # speakers, audio) of a seed are the same whatever --paraphrases and the noise.
        target_rng = _rng(config.seed, f"targets:{set_name}")
        variant_rng = _rng(config.seed, f"source-variants:{set_name}")
        spks = speakers[set_name]
        evaluation = set_name in ("dev", "test")
        noisy, corrupted = set(), set()
        if set_name == "train":
            noisy = set(_rng(config.seed, "noise-choice").sample(range(n), round(config.noise_rate * n)))
            clean = sorted(set(range(n)) - noisy)
            corrupted = set(_rng(config.seed, "label-noise-choice").sample(clean, round(config.label_noise * n)))
        noise_rng = _rng(config.seed, f"noise:{set_name}")
        label_rng = _rng(config.seed, f"label-noise:{set_name}")
        utts = []
        for index in range(n):
            use_heldout = evaluation and heldout and index % 2 == 1
            meaning = _sample_meaning(rng, heldout_groups if use_heldout else pool_groups)
            speaker = spks[index % len(spks)]
            uttid = f"{speaker.id}-{set_name}-{index:06d}"
            source = {"seen": not use_heldout}
            if config.source_variants:
                variants = [v for v in SOURCE_VARIANTS if v != "time_front" or meaning.has_time_front()]
                source.update(source_variant=variant_rng.choice(variants),
                              particle=variant_rng.choice(BAMBARA_PARTICLES))
            if set_name == EXTRA_ASR_SET:
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target="", **source))
            elif evaluation:
                paraphrases = meaning.french()
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, paraphrases[0], tuple(paraphrases),
                                          target_meaning=meaning.id, **source))
            else:
                index_in_meaning = target_rng.randrange(config.paraphrases)
                target, noise, target_meaning = meaning.paraphrases(config.paraphrases)[index_in_meaning], "none", meaning.id
                if index in noisy:
                    target, noise = add_translation_noise(target, noise_rng, avoid=meaning.paraphrases())
                elif index in corrupted:
                    target, noise, target_meaning = corrupt_meaning(meaning, index_in_meaning, pool, label_rng)
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target, noise=noise,
                                          target_meaning=target_meaning, **source))
        corpus[set_name] = sorted(utts, key=lambda u: u.uttid)
    return corpus
