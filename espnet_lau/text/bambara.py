"""Bambara orthographic normalisation through ``bambara-text-normalizer`` (MALIBA-AI, MIT).

Bambara allows several correct spellings of one utterance (``k'a ta`` = ``ka a ta``), so
transcripts and WER/CER must be normalised the same way on both sides. The package does
it; this module only fixes its settings for two uses:

* ``purpose="text"`` (source transcripts, hence ASR targets and the source BPE): the
  contraction mode, apostrophe, whitespace and special-character normalisation and the
  legacy orthography; case and punctuation are left to ``--src_case``, numbers are kept;
* ``purpose="wer"`` (scoring Bambara hypotheses against references): the package's own
  ``BambaraNormalizerConfig.for_wer_evaluation(mode)`` preset (lower-case, no punctuation,
  tones removed, numbers spelt out, repeated words stripped), applied to both sides; CER is
  computed on the same normalised strings.

Modes: ``expand`` (``k'a`` → ``ka a``; the package's default), ``contract`` (the reverse),
``preserve`` (contractions untouched), ``none`` (this normaliser is off). Checked against
the package page on 1.2.6: ``k'a ta`` and ``ka a ta`` both give ``ka a ta`` in expand mode
and ``k'a ta`` in contract mode; preserve leaves both as written.
"""

from __future__ import annotations

import dataclasses
import functools
from importlib.metadata import version

MODES = ("expand", "contract", "preserve", "none")
PURPOSES = ("text", "wer")


@functools.lru_cache(maxsize=None)
def _normalizer(mode: str, purpose: str):
    from bambara_normalizer import BambaraNormalizer, BambaraNormalizerConfig

    if purpose == "wer":
        return BambaraNormalizer(BambaraNormalizerConfig.for_wer_evaluation(mode=mode))
    return BambaraNormalizer(BambaraNormalizerConfig(
        contraction_mode=mode, lowercase=False, remove_punctuation=False, preserve_tones=True,
        expand_numbers=False, expand_dates=False, expand_times=False, expand_measurements=False,
        expand_arithmetic=False, strip_repetitions=False,
    ))


@dataclasses.dataclass(frozen=True)
class BambaraNormalizer:
    """A text → text callable with a :meth:`describe` for reports and metadata.

    Example:
        >>> BambaraNormalizer("expand", "wer")("K’a ta, dɔ́ɔnin!")
        'ka a ta dɔɔnin'
    """

    mode: str = "expand"
    purpose: str = "wer"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"unknown Bambara normalisation mode {self.mode!r}; choose from {MODES}")
        if self.purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {self.purpose!r}; choose from {PURPOSES}")

    def describe(self) -> str:
        """e.g. ``bambara-text-normalizer 1.2.6 for_wer_evaluation(mode=expand)``; ``none`` when off."""
        if self.mode == "none":
            return "none"
        preset = "for_wer_evaluation" if self.purpose == "wer" else "text"
        return f"bambara-text-normalizer {version('bambara-text-normalizer')} {preset}(mode={self.mode})"

    def __call__(self, text: str) -> str:
        if self.mode == "none":
            return " ".join(text.split())
        return " ".join(_normalizer(self.mode, self.purpose)(text).split())
