"""Semantic losses against values computed by hand."""

import math

import pytest
import torch

from espnet_lau.semantic.loss import (
    CosineSemanticLoss,
    InfoNCESemanticLoss,
    MSESemanticLoss,
    cosine_loss,
    infonce_loss,
    mse_loss,
)
from espnet_lau.tasks.choices import ConfKeyError
from espnet_lau.tasks.semantic_task import semantic_loss_choices

PRED = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
TARGET = torch.tensor([[1.0, 1.0], [0.0, 1.0]])


def test_mse_is_mean_over_batch_and_dims():
    # squared errors: (0, 1, 0, 1) -> mean 0.5
    assert mse_loss(PRED, TARGET).item() == pytest.approx(0.5)


def test_cosine_is_mean_of_one_minus_cos():
    # cos = (1/sqrt(2), 1) -> mean(1 - cos) = (1 - 1/sqrt(2)) / 2
    assert cosine_loss(PRED, TARGET).item() == pytest.approx((1 - 1 / math.sqrt(2)) / 2)


def test_infonce_by_hand():
    tau = 0.5
    # cosine matrix rows = predictions, columns = targets
    c = 1 / math.sqrt(2)
    sims = [[c, 0.0], [c, 1.0]]
    logits = [[s / tau for s in row] for row in sims]

    def ce(row, label):
        return -logits[row][label] + math.log(sum(math.exp(v) for v in logits[row]))

    def ce_col(col, label):
        column = [logits[r][col] for r in range(2)]
        return -column[label] + math.log(sum(math.exp(v) for v in column))

    expected = 0.5 * ((ce(0, 0) + ce(1, 1)) / 2 + (ce_col(0, 0) + ce_col(1, 1)) / 2)
    assert infonce_loss(PRED, TARGET, temperature=tau).item() == pytest.approx(expected)


def test_infonce_single_utterance_has_no_negatives():
    assert infonce_loss(PRED[:1], TARGET[:1]).item() == pytest.approx(0.0)


@pytest.mark.parametrize("module, function", [
    (MSESemanticLoss(), mse_loss),
    (CosineSemanticLoss(), cosine_loss),
    (InfoNCESemanticLoss(temperature=0.5), lambda p, t: infonce_loss(p, t, temperature=0.5)),
])
def test_each_loss_module_is_its_function(module, function):
    assert module(PRED, TARGET).item() == pytest.approx(function(PRED, TARGET).item())
    assert not list(module.state_dict())  # no state-dict key: old checkpoints load


def test_loss_choices_and_errors():
    assert isinstance(semantic_loss_choices.build("infonce", {"temperature": 0.5}), InfoNCESemanticLoss)
    with pytest.raises(ValueError, match="--semantic_loss must be one of"):
        semantic_loss_choices.build("l1")
    with pytest.raises(ConfKeyError, match="it takes: no keys"):
        semantic_loss_choices.build("mse", {"temperature": 0.1})
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"^semantic_loss_conf.temperature: must be a finite number > 0, got "):
            InfoNCESemanticLoss(temperature=bad)
