"""The fine-tuning config of an OWSM checkpoint: its model, the recipe's training settings.

A fine-tuning config of the recipe (``conf/tuning/train_s2t_owsm_*.yaml``) holds what
fine-tuning changes (optimiser, scheduler, epochs, batches, LAU's options, the
preprocessor's ``speech_length``, ``text_prev_apply_prob``, ``time_apply_prob``) and no
model: the model is the checkpoint's own, whatever its size. :func:`merge_finetune_config`
takes every model key from the checkpoint's ``config.yaml`` and lays the fine-tuning
config over it; a ``*_conf`` mapping is merged key by key (``preprocessor_conf:
{time_apply_prob: 0}`` changes that key only). A fine-tuning config that names another
model class (``encoder: transformer`` over an ``e_branchformer`` checkpoint) is refused:
its weights would not load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import yaml

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import write_text_atomic

#: the classes of an S2T model; each with its ``*_conf`` (the model itself comes from the checkpoint)
MODEL_CLASSES = ("frontend", "specaug", "normalize", "preencoder", "encoder", "postencoder",
                 "decoder", "model", "preprocessor")
#: other keys of the checkpoint's config that define its model and tokens
MODEL_KEYS = ("input_size", "ctc_conf", "token_type", "token_list", "bpemodel", "g2p", "cleaner",
              "non_linguistic_symbols")


class FinetuneConfigError(UserError, ValueError):
    """A fine-tuning config that is not a mapping or changes the checkpoint's model."""


def _mapping(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FinetuneConfigError(f"{path}: not readable YAML ({exc})") from None
    if not isinstance(data, dict):
        raise FinetuneConfigError(f"{path} is not a YAML mapping")
    return data


def merge_finetune_config(pretrained: Mapping, finetune: Mapping, finetune_name: str = "the fine-tuning config") -> dict:
    """The checkpoint's model keys, then ``finetune`` laid over them."""
    model_keys = [*MODEL_KEYS, *MODEL_CLASSES, *(f"{name}_conf" for name in MODEL_CLASSES)]
    merged = {key: pretrained[key] for key in model_keys if key in pretrained}
    for key, value in finetune.items():
        if key in MODEL_CLASSES and key in merged and value != merged[key]:
            raise FinetuneConfigError(
                f"{finetune_name} sets {key}: {value} but the checkpoint's model has {key}: {merged[key]}: "
                f"remove {key} from {finetune_name} (the model comes from the checkpoint)")
        if key.endswith("_conf") and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def write_finetune_config(pretrained_config, finetune_config, out) -> dict:
    """Merge the two config files (:func:`merge_finetune_config`) into ``out``."""
    merged = merge_finetune_config(_mapping(Path(pretrained_config)), _mapping(Path(finetune_config)),
                                   str(finetune_config))
    write_text_atomic(out, yaml.safe_dump(merged, allow_unicode=True, sort_keys=False))
    return merged
