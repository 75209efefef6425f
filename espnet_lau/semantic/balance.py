"""How strongly LAU's semantic loss pulls on the encoder, relative to the translation loss.

The balance ratio of one batch is

    r = ‖∇_θenc (λ · L_sem)‖₂ / ‖∇_θenc L_ST‖₂

over the flattened encoder parameters θenc (the parameters both losses share). r ≪ 1
means the regulariser is inert; r ≫ 1 means it dominates the encoder's updates. Since
∇(λ·L_sem) = λ·∇L_sem, r is linear in λ, so one measurement at any λ gives the λ that
reaches a wanted ratio: ``λ* = r_target / (‖∇L_sem‖ / ‖∇L_ST‖)``.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Iterable, List, Mapping, Sequence

import torch


@dataclasses.dataclass(frozen=True)
class BatchBalance:
    """One batch: the two losses and the norms of their encoder gradients."""

    loss_st: float
    loss_sem: float
    grad_norm_st: float
    grad_norm_sem: float  # of L_sem itself, i.e. per unit λ

    @property
    def ratio_per_unit_lambda(self) -> float:
        return self.grad_norm_sem / self.grad_norm_st


@dataclasses.dataclass(frozen=True)
class BalanceMeasurement:
    """The balance over several batches at one λ (medians across batches)."""

    semantic_weight: float
    batches: Sequence[BatchBalance]

    @property
    def ratio_per_unit_lambda(self) -> float:
        return statistics.median(b.ratio_per_unit_lambda for b in self.batches)

    @property
    def ratio(self) -> float:
        """r at this measurement's λ."""
        return self.semantic_weight * self.ratio_per_unit_lambda

    @property
    def loss_ratio(self) -> float:
        """λ · L_sem / L_ST, the value training logs as ``sem_loss_ratio``."""
        return self.semantic_weight * statistics.median(b.loss_sem / b.loss_st for b in self.batches)

    def lambda_for(self, target_ratio: float) -> float:
        """The λ at which r equals ``target_ratio``."""
        return target_ratio / self.ratio_per_unit_lambda

    def as_dict(self, target_ratio: float) -> dict:
        per_unit = [b.ratio_per_unit_lambda for b in self.batches]
        return {
            "definition": "r = ||grad_encoder(lambda * L_sem)|| / ||grad_encoder(L_ST)||",
            "semantic_weight": self.semantic_weight,
            "num_batches": len(self.batches),
            "ratio": self.ratio,
            "ratio_min_max": [self.semantic_weight * min(per_unit), self.semantic_weight * max(per_unit)],
            "ratio_per_unit_lambda": self.ratio_per_unit_lambda,
            "loss_ratio": self.loss_ratio,
            "target_ratio": target_ratio,
            "lambda_for_target_ratio": self.lambda_for(target_ratio),
            "batches": [dataclasses.asdict(b) for b in self.batches],
        }


def _grad_norm(loss: torch.Tensor, params: List[torch.nn.Parameter], retain: bool) -> float:
    grads = torch.autograd.grad(loss, params, retain_graph=retain, allow_unused=True)
    squares = [g.detach().double().pow(2).sum() for g in grads if g is not None]
    if not squares:
        raise RuntimeError("the loss does not depend on any encoder parameter")
    return float(torch.stack(squares).sum().sqrt())


def encoder_parameters(model: torch.nn.Module) -> List[torch.nn.Parameter]:
    """The trainable parameters of ``model.encoder``, the part both losses train."""
    params = [p for p in model.encoder.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model's encoder has no trainable parameters")
    return params


def measure_batch(model, batch: Mapping[str, object]) -> BatchBalance:
    """Both losses of one batch and the norms of their encoder gradients.

    Args:
        model: a :class:`~espnet_lau.espnet_model.LAUSTModel` with a semantic head.
        batch: ``forward`` keyword arguments, with ``sem_emb`` (B, E).
    """
    params = encoder_parameters(model)
    loss_st, _, _, loss_sem, _ = model.translation_and_semantic_losses(**batch)
    loss_st = loss_st.sum()  # (1,) after ESPnet's force_gatherable
    grad_st = _grad_norm(loss_st, params, retain=True)
    grad_sem = _grad_norm(loss_sem, params, retain=False)
    return BatchBalance(float(loss_st.detach()), float(loss_sem.detach()), grad_st, grad_sem)


def measure_balance(model, batches: Iterable[Mapping[str, object]], semantic_weight: float) -> BalanceMeasurement:
    """:func:`measure_batch` over ``batches``; ``r`` is reported at ``semantic_weight``."""
    measured = [measure_batch(model, batch) for batch in batches]
    if not measured:
        raise ValueError("no batches to measure the balance on")
    return BalanceMeasurement(semantic_weight=semantic_weight, batches=measured)
