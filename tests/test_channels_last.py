"""--conv_channels_last: the same model and checkpoints, Conv2d weights stored channels-last."""

from pathlib import Path

import pytest
import torch
import yaml
from espnet2.tasks.asr import ASRTask

from espnet_lau.tasks.asr import ASRPretrainTask
from espnet_lau.tasks.channels_last import convs_to_channels_last
from espnet_lau.tasks.lau_st import LAUSTTask

TUNING = Path(__file__).resolve().parents[1] / "conf/tuning"
TOKENS = ["<blank>", "<unk>", "a", "b", "c", "<sos/eos>"]
TASKS = [(ASRPretrainTask, "train_asr_debug.yaml"), (LAUSTTask, "train_st_debug.yaml")]


def build(task, config, *options):
    args = task.get_parser().parse_args(
        ["--config", str(TUNING / config), "--token_type", "char", "--token_list", "x", *options])
    args.token_list = list(TOKENS)
    torch.manual_seed(0)
    return task.build_model(args), args


def conv_weights(model):
    return [m.weight for m in model.modules() if isinstance(m, torch.nn.Conv2d)]


@pytest.mark.parametrize("task,config", TASKS)
def test_convs_are_channels_last_by_default_and_the_model_is_the_same(task, config):
    fast, args = build(task, config)
    plain, _ = build(task, config, "--conv_channels_last", "false")
    assert args.conv_channels_last is True
    assert len(conv_weights(fast)) == 2  # Conv2dSubsampling's two convolutions
    for weight in conv_weights(fast):
        assert weight.is_contiguous(memory_format=torch.channels_last)
        # one input channel: both layouts are the same; more: channels-last only
        assert weight.is_contiguous() == (weight.shape[1] == 1)
    assert all(weight.is_contiguous() for weight in conv_weights(plain))
    a, b = fast.state_dict(), plain.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def asr_loss_and_grads(model):
    """Loss and gradients of one batch (eval mode: no dropout or SpecAugment)."""
    g = torch.Generator().manual_seed(1)
    model.eval()
    loss = model(speech=torch.randn(3, 8000, generator=g), speech_lengths=torch.tensor([8000, 6000, 4000]),
                 text=torch.tensor([[2, 3, 4], [4, 3, -1], [2, -1, -1]]),
                 text_lengths=torch.tensor([3, 2, 1]))[0]
    loss.backward()
    return loss.detach(), {n: p.grad for n, p in model.named_parameters() if p.grad is not None}


def test_a_step_computes_the_same_loss_and_gradients():
    loss_fast, grads_fast = asr_loss_and_grads(build(ASRPretrainTask, "train_asr_debug.yaml")[0])
    loss_plain, grads_plain = asr_loss_and_grads(
        build(ASRPretrainTask, "train_asr_debug.yaml", "--conv_channels_last", "false")[0])
    torch.testing.assert_close(loss_fast, loss_plain, rtol=1e-5, atol=1e-6)
    assert grads_fast.keys() == grads_plain.keys()
    for name in grads_fast:
        torch.testing.assert_close(grads_fast[name], grads_plain[name], rtol=1e-4, atol=1e-6,
                                   msg=name)


def test_its_asr_checkpoint_loads_in_stock_espnet(tmp_path):
    """What stage 6 writes (config.yaml with conv_channels_last, model.pth) is stock ESPnet's."""
    model, args = build(ASRPretrainTask, "train_asr_debug.yaml")
    config, weights = tmp_path / "config.yaml", tmp_path / "model.pth"
    config.write_text(yaml.safe_dump(vars(args)), encoding="utf-8")
    torch.save(model.state_dict(), weights)
    stock, _ = ASRTask.build_model_from_file(config, weights, "cpu")
    assert type(stock) is type(model)
    saved = model.state_dict()
    assert all(torch.equal(tensor, saved[k]) for k, tensor in stock.state_dict().items())


def test_convs_to_channels_last_counts_what_it_converts():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv1d(4, 4, 3))
    assert convs_to_channels_last(model) == 1
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model[2].weight.is_contiguous()


@pytest.mark.parametrize("task,config", TASKS)
def test_inference_builds_keep_the_default_layout(task, config, tmp_path):
    """build_model_from_file (Speech2Text's way): decoding as in stock ESPnet, bit for bit."""
    model, args = build(task, config)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(vars(args)), encoding="utf-8")
    torch.save(model.state_dict(), tmp_path / "model.pth")
    loaded, loaded_args = task.build_model_from_file(tmp_path / "config.yaml",
                                                     tmp_path / "model.pth", "cpu")
    assert loaded_args.conv_channels_last is True
    assert all(weight.is_contiguous() for weight in conv_weights(loaded))
    assert conv_weights(build(task, config)[0])[1].is_contiguous() is False  # training again
