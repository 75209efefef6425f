"""What the mini corpus generator is asked for: the set sizes and the options.

:class:`MiniCorpusConfig` is read by :func:`espnet_lau.data.mini.generate.generate_mini_corpus`
(the text) and :func:`espnet_lau.data.mini.corpus.prepare_mini_corpus` (audio and data
directories).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional

from espnet_lau.data.mini.grammar import MAX_PARAPHRASES, NUM_PARAPHRASES

EXTRA_ASR_SET = "train_asr_extra"


@dataclasses.dataclass(frozen=True)
class CorpusSize:
    """Number of utterances and speakers per set."""

    train: int
    dev: int
    test: int
    train_speakers: int
    dev_speakers: int
    test_speakers: int

    @property
    def num_speakers(self) -> int:
        return self.train_speakers + self.dev_speakers + self.test_speakers


SIZES: Dict[str, CorpusSize] = {
    # Seconds to generate: for CI and unit tests.
    "tiny": CorpusSize(train=60, dev=12, test=12, train_speakers=8, dev_speakers=2, test_speakers=2),
    # For the 2-core CPU recipe (ASR + ST training of a small transformer in ~30 min).
    "default": CorpusSize(train=1600, dev=150, test=150, train_speakers=14, dev_speakers=3, test_speakers=3),
}


@dataclasses.dataclass(frozen=True)
class MiniCorpusConfig:
    """What to generate.

    Attributes:
        seed: everything (held-out combinations, speakers of each set, sentences, noise)
            is a deterministic function of the seed and the sizes.
        size: a key of :data:`SIZES`.
        noise_rate: share of training utterances whose target is corrupted on the
            surface (exactly ``round(noise_rate × num_train)`` of them).
        paraphrases: training targets are drawn from the first N paraphrases of their
            meaning (1-10): 1-3 careful ones, 4-10 adding loose, free translations.
        label_noise: share of training utterances whose target is corrupted in meaning
            (exactly ``round(label_noise × num_train)``, disjoint from the surface-noised
            ones; the kind is drawn uniformly from
            :data:`~espnet_lau.data.mini.noise.LABEL_NOISE`).
        source_variants: vary the Bambara side (a discourse particle, or the time word
            fronted), so that one meaning is spoken in several ways.
        heldout_rate: share of the slot combinations of each multi-slot template that
            never occurs in train (nor in the extra ASR set).
        asr_extra_utts: number of extra ASR-only utterances (train speakers, Bambara only).
        num_train, num_dev, num_test: override the utterance counts of ``size``.
    """

    seed: int = 1
    size: str = "default"
    noise_rate: float = 0.15
    heldout_rate: float = 0.15
    asr_extra_utts: int = 0
    paraphrases: int = NUM_PARAPHRASES
    label_noise: float = 0.0
    source_variants: bool = False
    num_train: Optional[int] = None
    num_dev: Optional[int] = None
    num_test: Optional[int] = None

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}; choose from {sorted(SIZES)}")
        if not 0.0 <= self.noise_rate <= 1.0:
            raise ValueError(f"noise_rate must be in [0, 1], got {self.noise_rate}")
        if not 0.0 <= self.heldout_rate < 1.0:
            raise ValueError(f"heldout_rate must be in [0, 1), got {self.heldout_rate}")
        if not 1 <= self.paraphrases <= MAX_PARAPHRASES:
            raise ValueError(f"paraphrases must be in [1, {MAX_PARAPHRASES}], got {self.paraphrases}")
        if not 0.0 <= self.label_noise <= 1.0 or self.noise_rate + self.label_noise > 1.0:
            raise ValueError(
                f"label_noise must be in [0, 1] and noise_rate + label_noise <= 1, got "
                f"{self.label_noise} and {self.noise_rate}"
            )

    def counts(self) -> Dict[str, int]:
        base = SIZES[self.size]
        counts = {
            "train": self.num_train if self.num_train is not None else base.train,
            "dev": self.num_dev if self.num_dev is not None else base.dev,
            "test": self.num_test if self.num_test is not None else base.test,
        }
        if self.asr_extra_utts > 0:
            counts[EXTRA_ASR_SET] = self.asr_extra_utts
        for name, n in counts.items():
            if n <= 0:
                raise ValueError(f"set {name} needs at least one utterance, got {n}")
        return counts
