"""ESPnet's ``--freeze_param`` for models built outside ESPnet's trainer.

``AbsTask.main_worker`` freezes the parameters after building the model for training;
a model we build ourselves (the λ measurement at the start of LAU training, the
benchmarks) must freeze the same ones, or it computes gradients, and holds their
activations, for a frozen upstream that training never trains.
"""

from typing import Iterable, List

import torch


def freeze_parameters(model: torch.nn.Module, prefixes: Iterable[str]) -> List[str]:
    """``requires_grad = False`` for every parameter ``prefix`` or ``prefix.*``, as ESPnet
    matches them; returns the names frozen."""
    prefixes = list(prefixes or ())
    frozen = []
    for name, param in model.named_parameters():
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes):
            param.requires_grad = False
            frozen.append(name)
    return frozen
