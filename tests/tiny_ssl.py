"""Tiny random self-supervised speech models (wav2vec2, HuBERT, WavLM) saved as a user holds
them (``save_pretrained``: config.json, model.safetensors, preprocessor_config.json), offline."""

from pathlib import Path

import torch

#: 2 layers of width 32, frames every 320 samples (20 ms) as XLS-R and MMS: about 130 kB.
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
            conv_dim=(16, 16, 16), conv_kernel=(10, 8, 4), conv_stride=(5, 8, 8),
            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2, feat_extract_norm="layer")


def save_tiny_ssl_model(folder: Path, model_type: str = "wav2vec2", seed: int = 0, **overrides) -> Path:
    """A tiny random ``model_type`` model in ``folder``; returns ``folder``."""
    from transformers import (HubertConfig, HubertModel, Wav2Vec2Config, Wav2Vec2FeatureExtractor,
                              Wav2Vec2Model, WavLMConfig, WavLMModel)

    config_class, model_class = {"wav2vec2": (Wav2Vec2Config, Wav2Vec2Model), "hubert": (HubertConfig, HubertModel),
                                 "wavlm": (WavLMConfig, WavLMModel)}[model_type]
    torch.manual_seed(seed)
    model_class(config_class(**{**TINY, **overrides})).save_pretrained(str(folder))
    Wav2Vec2FeatureExtractor(do_normalize=True).save_pretrained(str(folder))
    return folder
