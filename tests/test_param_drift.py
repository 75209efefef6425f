"""Total Parameter Drift on small state dicts with a known answer, key mismatches,
ESPnet checkpoints, and the param_drift CLI (JSON + PNG)."""

import json
import math

import matplotlib.image
import pytest
import torch
from PIL import Image

from espnet_lau.bin import param_drift as param_drift_cli
from espnet_lau.evaluation.drift import (
    DriftKeyError,
    layer_and_module,
    parameter_drift,
)
from espnet_lau.utils.checkpoint import load_state_dict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def state_dicts():
    """θ_init / θ_final whose encoder drift is worked out by hand.

    encoders.0: Δ = 1 on 4 entries → ‖Δ‖ = 2; encoders.1: Δ = (3, 4) → 5;
    embed: Δ = 0; total √(4 + 25) = √29. ‖θ_init‖ = √(0 + 1 + 1 + 9·1) = √11.
    """
    init = {
        "encoder.encoders.0.w": torch.zeros(2, 2),
        "encoder.encoders.1.b": torch.tensor([1.0, 1.0]),
        "encoder.embed.conv.0.weight": torch.ones(3, 3),
        "encoder.norm.num_batches_tracked": torch.tensor(5),  # integer: ignored
        "decoder.w": torch.zeros(4),  # outside the prefix: ignored
    }
    final = {k: v.clone() for k, v in init.items()}
    final["encoder.encoders.0.w"] += 1.0
    final["encoder.encoders.1.b"] += torch.tensor([3.0, 4.0])
    final["encoder.norm.num_batches_tracked"] += 100
    final["decoder.w"] += 10.0
    return init, final


def test_known_drift_and_breakdown():
    init, final = state_dicts()
    report = parameter_drift(init, final)
    assert report["total_drift"] == pytest.approx(math.sqrt(29))
    assert report["init_norm"] == pytest.approx(math.sqrt(11))
    assert report["relative_drift"] == pytest.approx(math.sqrt(29 / 11))
    assert report["n_tensors"] == 3 and report["n_params"] == 4 + 2 + 9
    layers = report["per_layer"]
    assert list(layers) == ["encoder.encoders.0", "encoder.encoders.1", "encoder.embed"]
    assert layers["encoder.encoders.0"]["drift"] == pytest.approx(2.0)
    assert layers["encoder.encoders.0"]["relative"] is None  # ‖θ_init‖ = 0
    assert layers["encoder.encoders.1"]["drift"] == pytest.approx(5.0)
    assert layers["encoder.encoders.1"]["relative"] == pytest.approx(5 / math.sqrt(2))
    assert layers["encoder.embed"] == {"drift": 0.0, "init_norm": 3.0, "relative": 0.0, "n_params": 9}
    modules = report["per_module"]
    assert modules["encoders"]["drift"] == pytest.approx(math.sqrt(29))
    assert modules["embed"]["drift"] == 0.0
    # the library's own norm of the flattened difference
    keys = ["encoder.encoders.0.w", "encoder.encoders.1.b", "encoder.embed.conv.0.weight"]
    flat = torch.cat([(final[k] - init[k]).flatten() for k in keys])
    assert report["total_drift"] == pytest.approx(torch.linalg.vector_norm(flat).item())


def test_prefix_selects_tensors():
    init, final = state_dicts()
    assert parameter_drift(init, final, prefix="decoder.")["total_drift"] == pytest.approx(20.0)
    everything = parameter_drift(init, final, prefix="")
    assert everything["total_drift"] == pytest.approx(math.sqrt(29 + 400))
    assert "decoder" in everything["per_module"]
    with pytest.raises(DriftKeyError, match="no floating-point tensor"):
        parameter_drift(init, final, prefix="frontend.")


def test_layer_and_module_names():
    assert layer_and_module("encoder.encoders.11.self_attn.linear_q.weight", "encoder.") == (
        "encoder.encoders.11", "encoders")
    assert layer_and_module("encoder.embed.conv.0.weight", "encoder.") == ("encoder.embed", "embed")
    assert layer_and_module("encoder.after_norm.weight", "encoder.") == ("encoder.after_norm", "after_norm")


def test_key_mismatch_is_reported_by_name():
    init, final = state_dicts()
    final.pop("encoder.encoders.1.b")
    final["encoder.extra.w"] = torch.zeros(1)
    final["encoder.embed.conv.0.weight"] = torch.ones(2, 3)
    with pytest.raises(DriftKeyError) as err:
        parameter_drift(init, final)
    msg = str(err.value)
    assert "missing_in_final (1): encoder.encoders.1.b" in msg
    assert "extra_in_final (1): encoder.extra.w" in msg
    assert "encoder.embed.conv.0.weight" in msg and "--allow_missing" in msg
    report = parameter_drift(init, final, allow_missing=True)
    assert report["total_drift"] == pytest.approx(2.0)  # only encoders.0 is comparable
    assert report["missing_in_final"] == ["encoder.encoders.1.b"]
    assert report["shape_mismatch"] == [["encoder.embed.conv.0.weight", [3, 3], [2, 3]]]


def test_load_plain_state_dict_and_espnet_checkpoint(tmp_path):
    init, final = state_dicts()
    torch.save(init, tmp_path / "init.pth")
    checkpoint = {
        "model": final,
        "reporter": {"epoch": 3, "stats": {1: {"train": {"loss": 1.5}}}},
        "optimizers": [{"state": {}, "param_groups": [{"lr": 1e-3}]}],
        "schedulers": [None],
        "scaler": None,
    }
    torch.save(checkpoint, tmp_path / "checkpoint.pth")
    assert set(load_state_dict(tmp_path / "init.pth")) == set(init)
    loaded = load_state_dict(tmp_path / "checkpoint.pth")
    assert torch.equal(loaded["encoder.encoders.0.w"], final["encoder.encoders.0.w"])
    torch.save([1, 2], tmp_path / "list.pth")
    with pytest.raises(ValueError, match="not a state dict"):
        load_state_dict(tmp_path / "list.pth")


def test_param_drift_cli_json_and_png(tmp_path):
    init, final = state_dicts()
    torch.save(init, tmp_path / "init.pth")
    torch.save({"model": final}, tmp_path / "checkpoint.pth")
    out = tmp_path / "drift"
    param_drift_cli.main(["--init", str(tmp_path / "init.pth"), "--final",
                          str(tmp_path / "checkpoint.pth"), "--outdir", str(out)])
    report = json.loads((out / "drift.json").read_text(encoding="utf-8"))
    assert report["total_drift"] == pytest.approx(math.sqrt(29))
    for key in ("prefix", "relative_drift", "init_norm", "per_module", "per_layer",
                "missing_in_final", "extra_in_final", "shape_mismatch", "plot"):
        assert key in report
    png = out / "drift_per_layer.png"
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(png) as img:
        img.verify()
    assert matplotlib.image.imread(png).ndim == 3
    assert "encoder.encoders.1" in (out / "drift.md").read_text(encoding="utf-8")


def test_init_config_measures_from_the_encoders_init_param(tmp_path):
    """--pretrained_encoder's drift: the starting weights are the file of the training
    config's encoder init_param (only the prepared config names it)."""
    init, final = state_dicts()
    torch.save(init, tmp_path / "pretrained.pth")
    torch.save({"model": final}, tmp_path / "checkpoint.pth")
    config = tmp_path / "config.yaml"
    config.write_text(f"init_param:\n- {tmp_path}/other.pth:decoder:decoder\n- {tmp_path}/pretrained.pth:encoder:encoder\n")
    param_drift_cli.main(["--init_config", str(config), "--final", str(tmp_path / "checkpoint.pth"),
                          "--outdir", str(tmp_path / "drift")])
    report = json.loads((tmp_path / "drift/drift.json").read_text(encoding="utf-8"))
    assert report["init"] == str(tmp_path / "pretrained.pth")
    assert report["total_drift"] == pytest.approx(math.sqrt(29))
    config.write_text("init_param: []\n")
    with pytest.raises(ValueError, match="no init_param initialises the encoder"):
        param_drift_cli.main(["--init_config", str(config), "--final", str(tmp_path / "checkpoint.pth"),
                              "--outdir", str(tmp_path / "drift2")])
