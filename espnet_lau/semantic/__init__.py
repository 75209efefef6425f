"""The semantic side of LAU inside the model: pooling, head, losses, target standardisation and the loss balance.

The frozen teachers that make the targets are offline, in :mod:`espnet_lau.teachers`.
The names below are imported on first use, so that the offline tools that need only the
numpy parts (``target_norm``) start without torch.
"""

import importlib

_EXPORTS = {
    "AbsSemanticLoss": "espnet_lau.semantic.loss",
    "CosineSemanticLoss": "espnet_lau.semantic.loss",
    "InfoNCESemanticLoss": "espnet_lau.semantic.loss",
    "MSESemanticLoss": "espnet_lau.semantic.loss",
    "SemanticHead": "espnet_lau.semantic.head",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    """``espnet_lau.semantic.<name>`` for the names of ``__all__`` (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
