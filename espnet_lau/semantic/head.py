"""The LAU semantic head: pooled encoder output -> sentence-embedding space."""

from __future__ import annotations

from typing import Optional

import torch
from typeguard import typechecked

from espnet_lau.semantic.pooling import build_pooling
from espnet_lau.semantic.target_norm import TARGET_NORMS, TargetStats, TargetStatsError


class TargetStandardizer(torch.nn.Module):
    """``t -> (t - mean) / scale`` with the statistics as buffers.

    Args:
        dim: E, the teacher dimension.
        stats: the training-set statistics; ``None`` leaves placeholders (mean 0,
            scale 1) that a checkpoint's ``load_state_dict`` overwrites.
    """

    def __init__(self, dim: int, stats: Optional[TargetStats] = None):
        super().__init__()
        if stats is not None and stats.dim != dim:
            raise TargetStatsError(
                f"target statistics have {stats.dim} dims but the semantic head outputs {dim}"
            )
        mean = torch.zeros(dim) if stats is None else torch.tensor(stats.mean, dtype=torch.float32)
        scale = torch.ones(()) if stats is None else torch.tensor(stats.scale, dtype=torch.float32)
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)

    def forward(self, target: torch.Tensor) -> torch.Tensor:
        """target: (B, E) raw teacher vectors -> (B, E) standardised."""
        return (target - self.mean.to(target.dtype)) / self.scale.to(target.dtype)


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
        target_norm: ``none`` (raw teacher vectors, the paper) or ``standardize``
            (targets centred and scaled by training-set statistics; see
            :mod:`espnet_lau.semantic.target_norm`). The head predicts into that space.
        target_stats: the statistics for ``standardize``; ``None`` keeps placeholders
            that a checkpoint overwrites (rebuilding a trained model from its config).
    """

    @typechecked
    def __init__(
        self,
        input_size: int,
        output_size: int,
        hidden_size: Optional[int] = None,
        pooling: str = "mean",
        dropout: float = 0.0,
        target_norm: str = "none",
        target_stats: Optional[TargetStats] = None,
    ):
        super().__init__()
        if target_norm not in TARGET_NORMS:
            raise ValueError(
                f"unknown semantic_target_norm {target_norm!r}: choose one of {list(TARGET_NORMS)}"
            )
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
        self.target_norm = target_norm
        self.target_standardizer = (
            TargetStandardizer(output_size, target_stats) if target_norm == "standardize" else None
        )

    def prepare_target(self, sem_emb: torch.Tensor) -> torch.Tensor:
        """Teacher vectors (B, E) -> the targets the head is trained on (B, E)."""
        if self.target_standardizer is None:
            return sem_emb
        return self.target_standardizer(sem_emb)

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Project encoder frames to one sentence-embedding prediction per utterance.

        Args:
            xs: (B, T, D) encoder output.
            lengths: (B,) valid frames per utterance.
        Returns:
            (B, E) predicted sentence embeddings.
        """
        return self.mlp(self.pooling(xs, lengths))
