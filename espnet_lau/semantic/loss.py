"""Semantic losses between predicted and teacher sentence embeddings.

Every loss maps ``pred (B, E)`` and ``target (B, E)`` to a scalar. The functions hold the
maths; the modules (one per ``--semantic_loss`` choice, registered in
:mod:`espnet_lau.tasks.semantic_task`) carry the options of ``--semantic_loss_conf`` as typed
``__init__`` defaults, which ``--print_config`` shows. The modules hold no parameters or
buffers, so the choice of loss adds no state-dict key.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F
from typeguard import typechecked

from espnet_lau.utils.numbers import positive_float


def mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over batch x dimensions (the paper's MSE)."""
    return F.mse_loss(pred, target, reduction="mean")


def cosine_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``1 - cos(pred, target)``."""
    return (1.0 - F.cosine_similarity(pred, target, dim=-1)).mean()


def infonce_loss(
    pred: torch.Tensor, target: torch.Tensor, temperature: float = 0.07
) -> torch.Tensor:
    """Symmetric in-batch contrastive loss (beyond the paper).

    Each prediction must pick its own target among the B targets of the batch, and
    each target its own prediction; logits are cosine similarities / temperature.
    With B = 1 there are no negatives and the loss is 0.
    """
    logits = F.normalize(pred, dim=-1) @ F.normalize(target, dim=-1).T / temperature
    labels = torch.arange(pred.size(0), device=pred.device)
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


class AbsSemanticLoss(torch.nn.Module, ABC):
    """A semantic loss; its ``__init__`` keyword arguments are its ``semantic_loss_conf``.

    The base ``__init__`` takes none: a loss without options inherits it.
    """

    def __init__(self):
        super().__init__()

    @abstractmethod
    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """pred, target: (B, E) -> scalar loss."""


class MSESemanticLoss(AbsSemanticLoss):
    """``--semantic_loss mse``: :func:`mse_loss` (the paper's best)."""

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """pred, target: (B, E) -> scalar loss."""
        return mse_loss(pred, target)


class CosineSemanticLoss(AbsSemanticLoss):
    """``--semantic_loss cosine``: :func:`cosine_loss`."""

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """pred, target: (B, E) -> scalar loss."""
        return cosine_loss(pred, target)


class InfoNCESemanticLoss(AbsSemanticLoss):
    """``--semantic_loss infonce``: :func:`infonce_loss`.

    Args:
        temperature: divides the cosine similarities before the softmax.
    """

    @typechecked
    def __init__(self, temperature: float = 0.07):
        super().__init__()
        # NaN passes "<= 0", and inf divides every similarity to 0: a constant loss
        self.temperature = positive_float.check("semantic_loss_conf.temperature", temperature)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """pred, target: (B, E) -> scalar loss."""
        return infonce_loss(pred, target, temperature=self.temperature)
