"""The semantic side of LAU: pooling, head, losses and frozen sentence teachers."""

from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.loss import (
    AbsSemanticLoss,
    CosineSemanticLoss,
    InfoNCESemanticLoss,
    MSESemanticLoss,
)

__all__ = [
    "AbsSemanticLoss",
    "CosineSemanticLoss",
    "InfoNCESemanticLoss",
    "MSESemanticLoss",
    "SemanticHead",
]
