"""Text handling shared by the teacher stage and scoring."""

from espnet_lau.text.normalization import TextNormalizer

__all__ = ["TextNormalizer"]
