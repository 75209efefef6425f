"""The SSL frontend (``frontend: hf_ssl``) and the config tool that puts it in an ST config, on
tiny random wav2vec2 / HuBERT / WavLM folders made here: exact frame lengths, padding that
changes nothing, the weighted layer sum, freezing (ESPnet's freeze_param, or for N steps),
the registration in ESPnet's STTask, and the one-line refusals of prepare_ssl_config."""

import json

import pytest
import torch
import yaml
from tiny_ssl import save_tiny_ssl_model
from tiny_st import LAU_CONFIG

from espnet_lau.bin import prepare_ssl_config, st_inference
from espnet_lau.pretrained.ssl_frontend import HFSSLFrontend, register_ssl_frontend, utterance_normalize
from espnet_lau.pretrained.ssl_model_dir import SSLModelError, read_ssl_model_dir


@pytest.fixture(scope="module")
def w2v(tmp_path_factory):
    return save_tiny_ssl_model(tmp_path_factory.mktemp("w2v"))


def _cnn_frames(samples: int) -> int:
    """wav2vec2's CNN output length for the tiny model (kernels 10, 8, 4; strides 5, 8, 8)."""
    for kernel, stride in ((10, 5), (8, 8), (4, 8)):
        samples = (samples - kernel) // stride + 1
    return samples


@pytest.mark.parametrize("model_type", ["wav2vec2", "hubert", "wavlm"])
def test_frame_lengths_are_the_models_own_and_padding_changes_nothing(model_type, tmp_path):
    frontend = HFSSLFrontend(model_dir=str(save_tiny_ssl_model(tmp_path, model_type))).eval()
    torch.manual_seed(1)
    speech, lengths = torch.randn(2, 16000), torch.tensor([16000, 1000])
    feats, feat_lengths = frontend(speech, lengths)
    # s3prl would say ceil(1000 / 320) = 4 frames; the CNN makes 3.
    assert feat_lengths.tolist() == [_cnn_frames(16000), _cnn_frames(1000)] == [50, 3]
    assert feats.shape == (2, 50, 32) and frontend.output_size() == 32
    alone, alone_lengths = frontend(speech[1:, :1000], lengths[1:])
    assert alone_lengths.tolist() == [3]
    assert torch.allclose(feats[1, :3], alone[0], atol=1e-4)


def test_the_weighted_sum_starts_as_the_mean_of_all_hidden_states_and_one_layer_can_be_taken(w2v):
    frontend = HFSSLFrontend(model_dir=str(w2v)).eval()
    assert frontend.layer_weights.shape == (3,)  # the projected CNN features and 2 layers
    speech, lengths = torch.randn(1, 3200), torch.tensor([3200])
    with torch.no_grad():
        hidden = frontend.upstream(utterance_normalize(speech, lengths), attention_mask=torch.ones(1, 3200).long(),
                                   output_hidden_states=True).hidden_states
    feats, _ = frontend(speech, lengths)
    assert torch.allclose(feats, torch.stack(hidden).mean(dim=0), atol=1e-5)
    layer1 = HFSSLFrontend(model_dir=str(w2v), layer=1).eval()
    assert layer1.layer_weights is None
    assert torch.allclose(layer1(speech, lengths)[0], hidden[1], atol=1e-5)


def test_utterance_normalize_uses_only_the_valid_samples():
    speech = torch.tensor([[1.0, 3.0, 100.0], [2.0, 4.0, 6.0]])
    out = utterance_normalize(speech, torch.tensor([2, 3]))
    assert out[0, 2] == 0 and torch.allclose(out[0, :2], torch.tensor([-1.0, 1.0]), atol=1e-4)
    assert torch.allclose(out[1].mean(), torch.tensor(0.0), atol=1e-6)


def _upstream_has_grads(frontend) -> bool:
    return any(p.grad is not None and p.grad.abs().sum() > 0 for p in frontend.upstream.parameters())


def test_a_trainable_upstream_waits_frozen_steps_then_trains_and_the_count_is_saved(w2v):
    frontend = HFSSLFrontend(model_dir=str(w2v), frozen_steps=2).train()
    speech, lengths = torch.randn(2, 3200), torch.tensor([3200, 2000])
    for step in range(3):
        frontend.zero_grad(set_to_none=True)
        feats, _ = frontend(speech, lengths)
        feats.sum().backward()
        assert _upstream_has_grads(frontend) == (step == 2), step
        assert frontend.upstream.training == (step == 2)  # no dropout while it waits
        assert frontend.layer_weights.grad is not None
    assert frontend.state_dict()["steps_seen"].item() == 3
    resumed = HFSSLFrontend(model_dir=str(w2v), frozen_steps=2)
    resumed.load_state_dict(frontend.state_dict())
    assert resumed.train().upstream_learns()


def test_a_frozen_upstream_runs_in_eval_mode_without_gradients(w2v):
    frontend = HFSSLFrontend(model_dir=str(w2v)).train()
    for p in frontend.upstream.parameters():  # what ESPnet's freeze_param: [frontend.upstream] does
        p.requires_grad = False
    feats, _ = frontend(torch.randn(1, 3200), torch.tensor([3200]))
    assert not frontend.upstream.training and feats.requires_grad  # the layer weights still train


def test_st_task_builds_hf_ssl_once_registered():
    from espnet2.tasks.st import STTask, frontend_choices

    register_ssl_frontend()
    assert frontend_choices.get_class("hf_ssl") is HFSSLFrontend
    assert STTask.get_parser().parse_args(["--frontend", "hf_ssl"]).frontend == "hf_ssl"


@pytest.mark.parametrize("remove,write,message", [
    ("config.json", None, "no config.json (give a Hugging Face save_pretrained folder)"),
    ("model.safetensors", None, "no model.safetensors or pytorch_model.bin"),
    (None, {"model_type": "bert", "hidden_size": 8}, "model_type 'bert' is not a self-supervised speech model"),
    (None, {"model_type": "wav2vec2", "hidden_size": 0, "num_hidden_layers": 2, "conv_stride": [5]},
     "'hidden_size' is 0, not a positive integer"),
])
def test_a_folder_that_is_not_an_ssl_model_is_one_line(tmp_path, w2v, remove, write, message):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(w2v, folder)
    if remove:
        (folder / remove).unlink()
    if write:
        (folder / "config.json").write_text(json.dumps(write))
    with pytest.raises(SSLModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_ssl_model_dir(folder)


def test_prepare_ssl_config_writes_the_frozen_ssl_config(w2v, tmp_path):
    out = tmp_path / "ssl.yaml"
    prepare_ssl_config.main(["--ssl_model", str(w2v), "--st_config", str(LAU_CONFIG), "--output", str(out)])
    config, original = yaml.safe_load(out.read_text()), yaml.safe_load(LAU_CONFIG.read_text())
    assert config["frontend"] == "hf_ssl"
    assert config["frontend_conf"] == {"model_dir": str(w2v.resolve()), "multilayer_feature": True, "layer": -1,
                                       "normalize_waveform": True, "frozen_steps": 0}
    assert config["preencoder"] == "linear" and config["preencoder_conf"] == {"input_size": 32, "output_size": 80}
    assert config["normalize"] == "utterance_mvn" and config["freeze_param"] == ["frontend.upstream"]
    assert config["model_conf"] == {**original["model_conf"], "extract_feats_in_collect_stats": False}
    assert config["encoder_conf"]["input_layer"] == "conv2d2"
    assert {k: config[k] for k in ("semantic_weight", "semantic_loss", "decoder_conf")} == \
        {k: original[k] for k in ("semantic_weight", "semantic_loss", "decoder_conf")}
    assert out.read_text().startswith("# Written by espnet_lau.bin.prepare_ssl_config")


def test_prepare_ssl_config_fine_tunes_after_n_steps(w2v, tmp_path):
    out = tmp_path / "ssl.yaml"
    prepare_ssl_config.main(["--ssl_model", str(w2v), "--st_config", str(LAU_CONFIG), "--output", str(out),
                             "--ssl_finetune", "true", "--ssl_frozen_steps", "500", "--ssl_layer", "2",
                             "--preencoder_size", "40", "--adapt_input_layer", "false",
                             "--ssl_normalize_waveform", "false"])
    config = yaml.safe_load(out.read_text())
    assert config["freeze_param"] == ["frontend.upstream.feature_extractor"]
    assert config["frontend_conf"]["frozen_steps"] == 500 and config["frontend_conf"]["layer"] == 2
    assert config["frontend_conf"]["multilayer_feature"] is False
    assert config["frontend_conf"]["normalize_waveform"] is False
    assert config["preencoder_conf"]["output_size"] == 40 and config["encoder_conf"]["input_layer"] == "conv2d"


def _refusal(capsys, cmd):
    with pytest.raises(SystemExit) as exc:
        prepare_ssl_config.main(cmd)
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("prepare_ssl_config: error: ")
    return err[0]


def test_prepare_ssl_config_refusals_are_one_line(w2v, tmp_path, capsys):
    base = ["--ssl_model", str(w2v), "--st_config", str(LAU_CONFIG), "--output", str(tmp_path / "o.yaml")]
    assert "needs --ssl_finetune true" in _refusal(capsys, [*base, "--ssl_frozen_steps", "10"])
    assert "--ssl_layer 3: give -1" in _refusal(capsys, [*base, "--ssl_layer", "3"])
    bert = tmp_path / "bert"
    bert.mkdir()
    (bert / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert "model_type 'bert' is not a self-supervised speech model" in _refusal(
        capsys, ["--ssl_model", str(bert), *base[2:]])
    s3prl = tmp_path / "s3prl.yaml"
    s3prl.write_text("frontend: s3prl\n")
    assert "has frontend 's3prl'" in _refusal(capsys, [*base[:2], "--st_config", str(s3prl), *base[4:]])
    assert "does not exist" in _refusal(capsys, [*base[:2], "--st_config", str(tmp_path / "none.yaml"), *base[4:]])
    import shutil

    bare = tmp_path / "bare"
    shutil.copytree(w2v, bare)
    (bare / "preprocessor_config.json").unlink()
    assert "no preprocessor_config.json" in _refusal(capsys, ["--ssl_model", str(bare), *base[2:]])
    assert not (tmp_path / "o.yaml").exists()


def test_st_inference_refuses_a_pickled_model_file(tmp_path, capsys):
    import argparse

    bad = tmp_path / "model.pth"
    torch.save({"x": argparse.Namespace(a=1)}, bad)
    with pytest.raises(SystemExit) as exc:
        st_inference.main(["--st_train_config", str(tmp_path / "config.yaml"), "--st_model_file", str(bad),
                           "--output_dir", str(tmp_path / "out"),
                           "--data_path_and_name_and_type", f"{tmp_path}/wav.scp,speech,sound"])
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(f"st_inference: error: {bad}")


def test_freeze_parameters_matches_prefixes_as_espnet_does():
    from espnet_lau.tasks.freeze import freeze_parameters

    model = torch.nn.ModuleDict({"up": torch.nn.Linear(2, 2), "upper": torch.nn.Linear(2, 2)})
    assert freeze_parameters(model, ["up"]) == ["up.weight", "up.bias"]
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]
    assert freeze_parameters(model, None) == []


def test_weights_that_miss_a_tensor_of_the_model_are_refused_not_randomly_initialised(w2v, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    folder = tmp_path / "m"
    shutil.copytree(w2v, folder)
    weights = load_file(folder / "model.safetensors")
    del weights["encoder.layers.1.attention.k_proj.weight"]
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(SSLModelError, match=r"1 of the model's tensors are missing .* "
                                            r"\(first: encoder.layers.1.attention.k_proj.weight\)"):
        HFSSLFrontend(model_dir=str(folder))
