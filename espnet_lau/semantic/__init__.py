"""The semantic side of LAU: pooling, head, losses and frozen sentence teachers."""

from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.loss import SEMANTIC_LOSSES, SemanticLoss

__all__ = ["SEMANTIC_LOSSES", "SemanticHead", "SemanticLoss"]
