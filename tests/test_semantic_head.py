"""Pooling and the semantic head (no ESPnet needed)."""

import pytest
import torch

from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.pooling import POOLINGS, build_pooling, length_mask


def padded_pair(seed=0):
    """The same utterances with 5 and with 9 padding frames of garbage appended."""
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(3, 7, 6, generator=g)
    lengths = torch.tensor([7, 4, 1])
    for b, n in enumerate(lengths.tolist()):
        xs[b, n:] = 0.0
    garbage = 100 * torch.randn(3, 9, 6, generator=g)
    more = torch.cat([xs, garbage], dim=1)
    for b, n in enumerate(lengths.tolist()):
        more[b, n:] = 100 * torch.randn(more.size(1) - n, 6, generator=g)
    return xs, more, lengths


def test_length_mask():
    mask = length_mask(torch.tensor([2, 0, 3]), 3)
    assert mask.tolist() == [[True, True, False], [False, False, False], [True, True, True]]


@pytest.mark.parametrize("name", ["mean", "max", "attention"])
def test_masked_pooling_ignores_padding(name):
    torch.manual_seed(0)
    pooling = build_pooling(name, 6)
    xs, more, lengths = padded_pair()
    torch.testing.assert_close(pooling(xs, lengths), pooling(more, lengths))


def test_mean_pooling_value():
    xs = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [99.0, 99.0]]])
    assert build_pooling("mean", 2)(xs, torch.tensor([2])).tolist() == [[2.0, 3.0]]
    assert build_pooling("max", 2)(xs, torch.tensor([2])).tolist() == [[3.0, 4.0]]


def test_unmasked_mean_reproduces_the_authors_padding_bug():
    xs, more, lengths = padded_pair()
    pooling = build_pooling("mean_unmasked", 6)
    torch.testing.assert_close(pooling(xs, lengths), xs.mean(dim=1))
    assert not torch.allclose(pooling(xs, lengths), pooling(more, lengths))


@pytest.mark.parametrize("pooling", sorted(POOLINGS))
def test_head_shapes_and_gradients(pooling):
    head = SemanticHead(input_size=6, output_size=5, hidden_size=4, pooling=pooling)
    xs = torch.randn(3, 7, 6, requires_grad=True)
    out = head(xs, torch.tensor([7, 4, 1]))
    assert out.shape == (3, 5)
    out.sum().backward()
    assert xs.grad is not None and all(p.grad is not None for p in head.parameters())


def test_head_is_the_papers_mlp():
    head = SemanticHead(input_size=512, output_size=768)
    layers = [type(m).__name__ for m in head.mlp if not isinstance(m, torch.nn.Dropout)]
    assert layers == ["Linear", "Tanh", "Linear"]
    assert head.mlp[1].weight.shape == (512, 512) and head.mlp[4].weight.shape == (768, 512)


def test_unknown_pooling():
    with pytest.raises(ValueError, match="unknown pooling 'median'"):
        SemanticHead(4, 4, pooling="median")
