"""The SYNTHETIC Bambara→French mini corpus, generated offline (see ``docs/data.md``).

:class:`MiniCorpusConfig` says what to generate, :func:`generate_mini_corpus` makes its
text (meanings, speakers, targets) and :func:`prepare_mini_corpus` writes it (espeak-ng
audio, Kaldi data directories). The grammar is :mod:`~espnet_lau.data.mini.grammar`, over
:mod:`~espnet_lau.data.mini.templates`, :mod:`~espnet_lau.data.mini.lexicon` and
:mod:`~espnet_lau.data.mini.free_translations`; :mod:`~espnet_lau.data.mini.noise` corrupts
training targets and :mod:`~espnet_lau.data.mini.speakers` holds the voices.
"""

from espnet_lau.data.mini.config import MiniCorpusConfig
from espnet_lau.data.mini.corpus import prepare_mini_corpus
from espnet_lau.data.mini.generate import generate_mini_corpus

__all__ = ["MiniCorpusConfig", "generate_mini_corpus", "prepare_mini_corpus"]
