"""The semantic side of LAU inside the model: pooling, head, losses, target standardisation and the loss balance.

The frozen teachers that make the targets are offline, in :mod:`espnet_lau.teachers`."""

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
