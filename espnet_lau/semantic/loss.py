"""Semantic losses between predicted and teacher sentence embeddings.

Every loss maps ``pred (B, E)`` and ``target (B, E)`` to a scalar.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


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


SEMANTIC_LOSSES = {"mse": mse_loss, "cosine": cosine_loss, "infonce": infonce_loss}


class SemanticLoss(torch.nn.Module):
    """A named semantic loss with its options (e.g. ``temperature`` for ``infonce``)."""

    def __init__(self, name: str = "mse", **conf):
        super().__init__()
        if name not in SEMANTIC_LOSSES:
            raise ValueError(
                f"unknown semantic loss {name!r}: choose one of {sorted(SEMANTIC_LOSSES)}"
            )
        if conf and name != "infonce":
            raise ValueError(f"semantic loss {name!r} takes no options, got {conf}")
        self.name = name
        self.conf = conf

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """pred, target: (B, E) -> scalar loss."""
        return SEMANTIC_LOSSES[self.name](pred, target, **self.conf)
