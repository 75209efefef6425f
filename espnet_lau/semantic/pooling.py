"""Pooling of encoder frames into one vector per utterance.

Every pooling maps ``(B, T, D)`` frames + ``(B,)`` valid lengths to ``(B, D)``.
Frames at positions ``t >= length`` are padding and never influence the result,
except in ``mean_unmasked``, which exists only to reproduce the LAU authors' code.
"""

from __future__ import annotations

import math

import torch


def length_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """Boolean mask of valid frames.

    Not ESPnet's ``~make_pad_mask``: in espnet 202511 that marks every frame of a
    zero-length row as valid (``make_pad_mask(tensor([2, 0, 3]), maxlen=3)[1]`` is all
    False), which would let padding into the pooled vector (tested in
    ``tests/test_semantic_head.py::test_length_mask``).

    Args:
        lengths: (B,) number of valid frames per utterance.
        max_len: T, the padded length.
    Returns:
        (B, T) True where the frame is valid.
    """
    positions = torch.arange(max_len, device=lengths.device)
    return positions.unsqueeze(0) < lengths.unsqueeze(1)


class MeanPooling(torch.nn.Module):
    """Average of the valid frames (padding masked out by the lengths)."""

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = length_mask(lengths, xs.size(1)).unsqueeze(-1).to(xs.dtype)  # (B, T, 1)
        total = (xs * mask).sum(dim=1)  # (B, D)
        return total / mask.sum(dim=1).clamp(min=1.0)


class UnmaskedMeanPooling(torch.nn.Module):
    """Average over all T frames, padding included.

    This reproduces the LAU authors' NeMo code, where padded frames enter the average,
    so the pooled vector of an utterance depends on the longest utterance of its batch.
    Use it only for faithful reproduction of the paper; ``mean`` is the correct choice.
    """

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return xs.mean(dim=1)


class MaxPooling(torch.nn.Module):
    """Element-wise maximum over the valid frames."""

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = length_mask(lengths, xs.size(1)).unsqueeze(-1)  # (B, T, 1)
        return xs.masked_fill(~mask, torch.finfo(xs.dtype).min).amax(dim=1)


class AttentionPooling(torch.nn.Module):
    """A learned query attends over the valid frames (single-head dot-product attention).

    Args:
        input_size: D, the frame dimension.
    """

    def __init__(self, input_size: int):
        super().__init__()
        self.query = torch.nn.Parameter(torch.randn(input_size) / math.sqrt(input_size))
        self.key = torch.nn.Linear(input_size, input_size)

    def forward(self, xs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        scores = self.key(xs) @ self.query / math.sqrt(xs.size(-1))  # (B, T)
        mask = length_mask(lengths, xs.size(1))
        scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=1).unsqueeze(-1)  # (B, T, 1)
        return (weights * xs).sum(dim=1)


POOLINGS = {
    "mean": MeanPooling,
    "mean_unmasked": UnmaskedMeanPooling,
    "max": MaxPooling,
    "attention": AttentionPooling,
}


def build_pooling(name: str, input_size: int) -> torch.nn.Module:
    """Instantiate a pooling by name (one of ``POOLINGS``)."""
    if name not in POOLINGS:
        raise ValueError(f"unknown pooling {name!r}: choose one of {sorted(POOLINGS)}")
    if name == "attention":
        return AttentionPooling(input_size)
    return POOLINGS[name]()
