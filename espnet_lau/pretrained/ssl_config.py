"""An ST config (LAU or baseline) turned into one that starts from a self-supervised speech model.

What changes, after ESPnet's reference for SSL speech translation
(``egs2/iwslt22_low_resource/st1``: s3prl frontend, weighted layer sum, linear pre-encoder,
frozen upstream, no feature extraction in the statistics stage):

* ``frontend: hf_ssl`` (:mod:`espnet_lau.pretrained.ssl_frontend`) on the model folder,
  with the weighted sum of its hidden states (or one ``layer``); the fbank
  ``frontend_conf`` goes;
* ``preencoder: linear`` from the model's width D to ``preencoder_size`` (80, as the
  reference): the encoder reads (B, T, preencoder_size);
* ``normalize: utterance_mvn`` (per utterance; global statistics of the raw waveform mean
  nothing) and ``model_conf.extract_feats_in_collect_stats: false``;
* the encoder's subsampling halves (``input_layer`` ``conv2d`` 4x -> ``conv2d2``, ``conv2d8``
  -> ``conv2d``, ``conv2d2`` -> ``conv2d1``): SSL frames are 20 ms, twice the usual 10 ms
  fbank hop, so the encoder keeps about the frame rate it had;
* ``freeze_param``: ``frontend.upstream`` (the default, frozen), or, to fine-tune, only its
  CNN ``frontend.upstream.feature_extractor`` (as transformers' fine-tuning recipes do),
  optionally after ``frozen_steps`` forward passes.

Everything else (LAU keys, decoder, optimiser, SpecAugment) is kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import List, Optional, Tuple

from espnet_lau.pretrained.ssl_frontend import SSL_FRONTEND_NAME
from espnet_lau.pretrained.ssl_model_dir import SSLModelError, SSLModelInfo

FROZEN_UPSTREAM = "frontend.upstream"
UPSTREAM_CNN = "frontend.upstream.feature_extractor"
#: input_layer values whose subsampling halves with SSL frames (20 ms instead of 10 ms).
HALVED_INPUT_LAYERS = {"conv2d": "conv2d2", "conv2d2": "conv2d1", "conv2d8": "conv2d"}


@dataclass(frozen=True)
class SSLOptions:
    """How the SSL model enters the ST model (see the module docstring)."""

    finetune: bool = False
    frozen_steps: int = 0
    layer: int = -1
    preencoder_size: int = 80
    adapt_input_layer: bool = True
    normalize_waveform: Optional[bool] = None  # None: the model's preprocessor_config.json


def _check(options: SSLOptions, info: SSLModelInfo) -> bool:
    """The waveform normalisation to use; one-line errors for inconsistent options."""
    if options.frozen_steps < 0:
        raise SSLModelError(f"--ssl_frozen_steps {options.frozen_steps}: give 0 or more training steps")
    if options.frozen_steps and not options.finetune:
        raise SSLModelError(f"--ssl_frozen_steps {options.frozen_steps} needs --ssl_finetune true "
                            "(a frozen upstream never trains)")
    if options.preencoder_size < 1:
        raise SSLModelError(f"--preencoder_size {options.preencoder_size}: give a positive width")
    if options.layer < -1 or options.layer > info.num_layers:
        raise SSLModelError(f"--ssl_layer {options.layer}: give -1 (weighted sum of all layers) "
                            f"or a hidden state 0..{info.num_layers} of {info.path}")
    if options.normalize_waveform is not None:
        return options.normalize_waveform
    if info.do_normalize is None:
        raise SSLModelError(f"{info.path}: no preprocessor_config.json to say whether the waveform is "
                            "normalised; save the model's feature extractor there or give "
                            "--ssl_normalize_waveform true|false")
    return info.do_normalize


def ssl_st_config(config: dict, info: SSLModelInfo, options: SSLOptions) -> Tuple[dict, List[str]]:
    """``config`` (a parsed ST config) with the SSL frontend; also the changes, one line each."""
    normalize_waveform = _check(options, info)
    if config.get("frontend") not in (None, "default"):
        raise SSLModelError(f"the ST config has frontend {config['frontend']!r}: give a config with the "
                            "default fbank frontend")
    out = copy.deepcopy(config)
    notes = [f"frontend: {SSL_FRONTEND_NAME} on {info.path} ({info.model_type}, width {info.hidden_size}, "
             + ("weighted sum of all hidden states)" if options.layer == -1 else f"hidden state {options.layer})")]
    out["frontend"] = SSL_FRONTEND_NAME
    out["frontend_conf"] = {
        "model_dir": str(info.path),
        "multilayer_feature": options.layer == -1,
        "layer": options.layer,
        "normalize_waveform": normalize_waveform,
        "frozen_steps": options.frozen_steps,
    }
    if out.get("preencoder") not in (None, "linear"):
        notes.append(f"preencoder {out['preencoder']} replaced by linear")
    out["preencoder"] = "linear"
    out["preencoder_conf"] = {"input_size": info.hidden_size, "output_size": options.preencoder_size}
    notes.append(f"preencoder: linear {info.hidden_size} -> {options.preencoder_size}")
    out["normalize"] = "utterance_mvn"
    out.pop("normalize_conf", None)
    out["model_conf"] = {**(out.get("model_conf") or {}), "extract_feats_in_collect_stats": False}
    encoder_conf = dict(out.get("encoder_conf") or {})
    layer = encoder_conf.get("input_layer", "conv2d")
    if options.adapt_input_layer and layer in HALVED_INPUT_LAYERS:
        encoder_conf["input_layer"] = HALVED_INPUT_LAYERS[layer]
        out["encoder_conf"] = encoder_conf
        notes.append(f"encoder input_layer {layer} -> {HALVED_INPUT_LAYERS[layer]} (20 ms SSL frames)")
    freeze = [p for p in (out.get("freeze_param") or []) if not p.startswith(FROZEN_UPSTREAM)]
    if options.finetune:
        freeze.append(UPSTREAM_CNN)
        notes.append("upstream fine-tuned (its CNN frozen)"
                     + (f" after {options.frozen_steps} training steps" if options.frozen_steps else " from the start"))
    else:
        freeze.append(FROZEN_UPSTREAM)
        notes.append("upstream frozen (freeze_param: frontend.upstream)")
    out["freeze_param"] = freeze
    if out.get("specaug"):
        notes.append("SpecAugment kept as in the config: its freq_mask_width_range now masks SSL dimensions")
    return out, notes
