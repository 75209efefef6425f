"""A Hugging Face ``save_pretrained`` folder of a self-supervised speech model, checked.

XLS-R, MMS-300M, HuBERT and WavLM as a user holds them: ``config.json`` (its
``model_type`` one of :data:`SSL_MODEL_TYPES`), the weights (``model.safetensors`` or
``pytorch_model.bin``) and, usually, ``preprocessor_config.json`` (whether the waveform is
normalised to zero mean and unit variance before the model). Reading it imports neither
torch nor transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from espnet_lau.utils.errors import UserError

#: config.json ``model_type`` values the SSL frontend loads (transformers' AutoModel).
SSL_MODEL_TYPES = ("wav2vec2", "hubert", "wavlm")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class SSLModelError(UserError):
    """The folder is not a wav2vec2/HuBERT/WavLM save_pretrained folder."""


@dataclass(frozen=True)
class SSLModelInfo:
    """What a config needs to know about the SSL model.

    ``hidden_size`` is the width D of each of its ``num_layers + 1`` hidden states
    (the CNN features projected, then each transformer layer), frames every
    ``downsample`` samples (320 at 16 kHz: 20 ms).
    """

    path: Path
    model_type: str
    hidden_size: int
    num_layers: int
    downsample: int
    do_normalize: Optional[bool]  # None: no preprocessor_config.json


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SSLModelError(f"{path}: cannot read it as JSON ({e}); is it a save_pretrained folder?") from e
    if not isinstance(data, dict):
        raise SSLModelError(f"{path}: not a JSON object; is it a save_pretrained folder?")
    return data


def _positive_int(config: dict, key: str, path: Path) -> int:
    value = config.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SSLModelError(f"{path}: '{key}' is {value!r}, not a positive integer")
    return value


def read_ssl_model_dir(model_dir: Union[str, Path]) -> SSLModelInfo:
    """Check ``model_dir`` and return its :class:`SSLModelInfo`; one-line error otherwise."""
    path = Path(model_dir)
    config_file = path / "config.json"
    if not path.is_dir():
        raise SSLModelError(f"--ssl_model {path}: no such folder (give a Hugging Face save_pretrained folder)")
    if not config_file.is_file():
        raise SSLModelError(f"--ssl_model {path}: no config.json (give a Hugging Face save_pretrained folder)")
    config = _read_json(config_file)
    model_type = config.get("model_type")
    if model_type not in SSL_MODEL_TYPES:
        raise SSLModelError(
            f"{config_file}: model_type {model_type!r} is not a self-supervised speech model this "
            f"frontend loads ({', '.join(SSL_MODEL_TYPES)})"
        )
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        raise SSLModelError(f"--ssl_model {path}: no {' or '.join(WEIGHT_FILES)} (the weights of save_pretrained)")
    strides = config.get("conv_stride")
    if not isinstance(strides, list) or not strides or not all(isinstance(s, int) and s > 0 for s in strides):
        raise SSLModelError(f"{config_file}: 'conv_stride' is {strides!r}, not a list of positive integers")
    downsample = 1
    for stride in strides:
        downsample *= stride
    preprocessor = path / "preprocessor_config.json"
    do_normalize = bool(_read_json(preprocessor).get("do_normalize", True)) if preprocessor.is_file() else None
    return SSLModelInfo(
        path=path.resolve(), model_type=model_type,
        hidden_size=_positive_int(config, "hidden_size", config_file),
        num_layers=_positive_int(config, "num_hidden_layers", config_file),
        downsample=downsample, do_normalize=do_normalize,
    )
