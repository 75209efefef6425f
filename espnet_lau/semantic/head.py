"""The LAU semantic head: pooled encoder output -> sentence-embedding space."""

from __future__ import annotations

from typing import Optional

import torch
from typeguard import typechecked

from espnet_lau.semantic.pooling import build_pooling


class SemanticHead(torch.nn.Module):
    """Pooling over time, then ``Linear(D -> H) -> Tanh -> Linear(H -> E)`` as in the paper.

    The head is used only during training; it is removed when the model is exported.

    Args:
        input_size: D, the encoder output size.
        output_size: E, the teacher's embedding size.
        hidden_size: H; defaults to D (the paper uses D = H = 512).
        pooling: ``mean`` (masked by lengths), ``mean_unmasked`` (the authors' code,
            padding included: reproduction only), ``max`` or ``attention``.
        dropout: dropout applied to the pooled vector and the hidden layer.
    """

    @typechecked
    def __init__(
        self,
        input_size: int,
        output_size: int,
        hidden_size: Optional[int] = None,
        pooling: str = "mean",
        dropout: float = 0.0,
    ):
        super().__init__()
        hidden_size = hidden_size or input_size
        self.input_size = input_size
        self.output_size = output_size
        self.pooling_type = pooling
        self.pooling = build_pooling(pooling, input_size)
        self.mlp = torch.nn.Sequential(
            torch.nn.Dropout(dropout),
            torch.nn.Linear(input_size, hidden_size),
            torch.nn.Tanh(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden_size, output_size),
        )

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Project encoder frames to one sentence-embedding prediction per utterance.

        Args:
            xs: (B, T, D) encoder output.
            lengths: (B,) valid frames per utterance.
        Returns:
            (B, E) predicted sentence embeddings.
        """
        return self.mlp(self.pooling(xs, lengths))
