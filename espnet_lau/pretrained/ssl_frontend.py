"""``frontend: hf_ssl``: a wav2vec2 / HuBERT / WavLM model as the ST frontend, with exact frame lengths.

Why not ESPnet's ``s3prl`` frontend: s3prl 0.4.18 (the newest release) imports every one
of its upstreams at ``import s3prl.nn``, and two of them call ``torchaudio.set_audio_backend``
and import ``torchaudio.sox_effects``, both gone since torchaudio 2.9 (s3prl issue #575,
open); with torch 2.13 and torchaudio 2.11, ``S3prlFrontend`` cannot even be imported.
It also hard-codes a 320-sample stride and takes ``ceil(samples / 320)`` as the length,
padding with copies of the last frame. ``frontend: huggingface`` (ASR only) returns sample
counts as lengths. This frontend asks the model itself (``_get_feat_extract_output_lengths``).

The frontend (registered in ``STTask``'s ``frontend_choices`` by
:func:`register_ssl_frontend`; ``espnet_lau.tasks.lau_st`` does it at import):

* loads ``model_dir`` (a ``save_pretrained`` folder) with transformers' ``AutoModel``,
  offline, into ``self.upstream``, and refuses a folder whose weights miss some of the
  model's tensors (transformers would initialise them at random, with a warning);
* normalises each waveform to zero mean and unit variance over its own samples when
  ``normalize_waveform`` (the model's ``preprocessor_config.json`` says ``do_normalize``),
  and passes an attention mask when the model was trained with one (``feat_extract_norm:
  layer``, as XLS-R and MMS), as transformers' feature extractor and processor do;
* returns the softmax-weighted sum of all hidden states (``multilayer_feature``, the
  SUPERB weighted layer sum), or one of them (``layer``).

Freezing is ESPnet's: ``freeze_param: [frontend.upstream]`` keeps it frozen. A trainable
upstream can wait: for its first ``frozen_steps`` training forward passes (steps times
``accum_grad``) it runs without gradients (in eval mode, as a frozen one always does), then
it trains. The count is a buffer of the state dict, so a resumed training keeps it.

A model trained with it is rebuilt by ``STTask.build_model`` once this module registered the
name (``python -m espnet_lau.bin.st_inference`` is stock ``espnet2.bin.st_inference`` with it
registered), and reads ``model_dir`` again at that time.
"""

from __future__ import annotations

import contextlib
from typing import Optional, Tuple

import torch
from espnet2.asr.frontend.abs_frontend import AbsFrontend

from espnet_lau.pretrained.ssl_model_dir import SSLModelError, read_ssl_model_dir

#: The ``frontend:`` name of :class:`HFSSLFrontend` in ST configs.
SSL_FRONTEND_NAME = "hf_ssl"


def utterance_normalize(speech: torch.Tensor, lengths: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Zero mean, unit variance per utterance over its valid samples; padding stays 0.

    speech (B, L), lengths (B,) -> (B, L).
    """
    mask = (torch.arange(speech.size(1), device=speech.device)[None, :] < lengths[:, None]).to(speech.dtype)
    count = lengths.clamp(min=1).to(speech.dtype)[:, None]
    mean = (speech * mask).sum(dim=1, keepdim=True) / count
    var = (((speech - mean) * mask) ** 2).sum(dim=1, keepdim=True) / count
    return (speech - mean) / torch.sqrt(var + eps) * mask


class HFSSLFrontend(AbsFrontend):
    """A transformers SSL speech model as an ESPnet frontend: waveform (B, L) -> (B, T, D)."""

    def __init__(
        self,
        fs: int = 16000,
        model_dir: str = "",
        multilayer_feature: bool = True,
        layer: int = -1,
        normalize_waveform: bool = True,
        frozen_steps: int = 0,
    ):
        super().__init__()
        from transformers import AutoModel  # heavy: only when the frontend is built

        info = read_ssl_model_dir(model_dir)
        if fs != 16000:
            raise ValueError(f"frontend hf_ssl: fs is {fs}; self-supervised speech models take 16000 Hz")
        if frozen_steps < 0:
            raise ValueError(f"frontend hf_ssl: frozen_steps {frozen_steps} is negative")
        self.upstream, loading = AutoModel.from_pretrained(str(info.path), local_files_only=True,
                                                           output_loading_info=True)
        not_loaded = sorted(set(loading["missing_keys"]) | {str(k) for k in loading["mismatched_keys"]})
        if not_loaded:  # transformers would start them from random values, with a warning
            raise SSLModelError(f"{info.path}: {len(not_loaded)} of the model's tensors are missing from its "
                                f"weights or have another shape (first: {not_loaded[0]}); the weights do not "
                                "belong to its config.json: save the folder again with save_pretrained")
        # LayerDrop would drop hidden states from the weighted sum (HuBERT returns fewer).
        self.upstream.config.layerdrop = 0.0
        self.use_attention_mask = getattr(self.upstream.config, "feat_extract_norm", "group") == "layer"
        self.normalize_waveform = normalize_waveform
        self.multilayer_feature = multilayer_feature and layer == -1
        self.layer = layer
        self.frozen_steps = frozen_steps
        self.register_buffer("steps_seen", torch.zeros((), dtype=torch.long))
        self.num_hidden_states = self._count_hidden_states()
        if layer != -1 and not 0 <= layer < self.num_hidden_states:
            raise ValueError(f"frontend hf_ssl: layer {layer} is not in 0..{self.num_hidden_states - 1} (or -1)")
        self.layer_weights = (
            torch.nn.Parameter(torch.zeros(self.num_hidden_states)) if self.multilayer_feature else None
        )
        self._output_size = info.hidden_size

    def _count_hidden_states(self) -> int:
        """How many hidden states the model returns (transformers differ by model: probed on 1 s)."""
        was_training = self.upstream.training
        self.upstream.eval()
        with torch.no_grad():
            hidden = self.upstream(torch.zeros(1, 16000), output_hidden_states=True).hidden_states
        self.upstream.train(was_training)
        return len(hidden)

    def output_size(self) -> int:
        return self._output_size

    def upstream_learns(self) -> bool:
        """True when this forward pass trains the upstream (trainable, past ``frozen_steps``)."""
        trainable = any(p.requires_grad for p in self.upstream.parameters())
        return self.training and trainable and int(self.steps_seen) >= self.frozen_steps

    def frame_lengths(self, input_lengths: torch.Tensor) -> torch.Tensor:
        """Samples (B,) -> frames (B,), as the model's own CNN counts them."""
        return self.upstream._get_feat_extract_output_lengths(input_lengths).to(torch.long)

    def forward(self, input: torch.Tensor, input_lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """input (B, L) waveform at 16 kHz, input_lengths (B,) -> feats (B, T, D), lengths (B,)."""
        learns = self.upstream_learns()
        if self.training:
            self.steps_seen += 1
        self.upstream.train(learns)
        speech = utterance_normalize(input, input_lengths) if self.normalize_waveform else input
        mask: Optional[torch.Tensor] = None
        if self.use_attention_mask:
            mask = (torch.arange(speech.size(1), device=speech.device)[None, :] < input_lengths[:, None]).long()
        with contextlib.nullcontext() if learns else torch.no_grad():
            hidden = self.upstream(speech, attention_mask=mask, output_hidden_states=True).hidden_states
        if self.multilayer_feature:
            weights = torch.softmax(self.layer_weights, dim=0)
            feats = (torch.stack(hidden, dim=0) * weights[:, None, None, None]).sum(dim=0)
        else:
            feats = hidden[self.layer]
        return feats, self.frame_lengths(input_lengths)


def register_ssl_frontend() -> None:
    """Make ``frontend: hf_ssl`` a choice of ESPnet's ``STTask`` (idempotent)."""
    from espnet2.tasks import st

    st.frontend_choices.classes.setdefault(SSL_FRONTEND_NAME, HFSSLFrontend)
