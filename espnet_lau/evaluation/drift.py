"""Total Parameter Drift of an encoder between two checkpoints (LAU paper's measure).

    drift = ‖θ_final − θ_init‖₂ over the flattened concatenation of every floating-point
    tensor whose key starts with the prefix (default ``encoder.``),
    relative drift = drift / ‖θ_init‖₂ (over the same tensors).

The same quantities are given per module (the key component after the prefix, e.g.
``encoders``, ``embed``, ``after_norm``) and per layer (the module plus, when the next
component is a layer index, that index: ``encoder.encoders.3``; otherwise the module).
Since the squared norm is additive over disjoint tensors, the squared drifts of the
modules (or layers) add up to the squared total drift.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Tuple

import torch

from espnet_lau.utils.errors import UserError


class DriftKeyError(UserError, ValueError):
    """The two state dicts do not hold the same encoder tensors."""


def layer_and_module(key: str, prefix: str) -> Tuple[str, str]:
    """``("encoder.encoders.3", "encoders")`` for ``encoder.encoders.3.ff.w_1.weight``.

    The module is the first key component after ``prefix``; the layer is the prefix,
    the module and, when the component after the module is an integer, that index.
    """
    rest = key[len(prefix):].split(".")
    module = rest[0]
    layer = prefix + module
    if len(rest) > 1 and rest[1].isdigit():
        layer += "." + rest[1]
    return layer, module


@dataclasses.dataclass
class _Acc:
    sq_diff: float = 0.0
    sq_init: float = 0.0
    n_params: int = 0

    def add(self, sq_diff: float, sq_init: float, n: int) -> None:
        self.sq_diff += sq_diff
        self.sq_init += sq_init
        self.n_params += n

    def as_dict(self) -> Dict[str, float]:
        drift, init_norm = self.sq_diff ** 0.5, self.sq_init ** 0.5
        return {
            "drift": drift,
            "init_norm": init_norm,
            "relative": drift / init_norm if init_norm > 0 else None,
            "n_params": self.n_params,
        }


def compare_keys(
    init: Mapping[str, torch.Tensor], final: Mapping[str, torch.Tensor], prefix: str
) -> Dict[str, List]:
    """Floating-point keys under ``prefix`` missing in ``final``, extra in ``final``,
    and present in both with different shapes (``[key, init shape, final shape]``)."""
    a = {k for k, v in init.items() if k.startswith(prefix) and v.is_floating_point()}
    b = {k for k, v in final.items() if k.startswith(prefix) and v.is_floating_point()}
    mismatched = [
        [k, list(init[k].shape), list(final[k].shape)]
        for k in sorted(a & b)
        if init[k].shape != final[k].shape
    ]
    return {
        "missing_in_final": sorted(a - b),
        "extra_in_final": sorted(b - a),
        "shape_mismatch": mismatched,
    }


def parameter_drift(
    init: Mapping[str, torch.Tensor],
    final: Mapping[str, torch.Tensor],
    prefix: str = "encoder.",
    allow_missing: bool = False,
) -> Dict[str, Any]:
    """Total Parameter Drift with per-module and per-layer breakdowns.

    Args:
        init: state dict before training (θ_init).
        final: state dict after training (θ_final).
        prefix: only floating-point tensors whose key starts with it are compared
            (``""`` for the whole model).
        allow_missing: compare the common, same-shape tensors and warn about the rest,
            instead of raising.

    Returns:
        The ``drift.json`` dictionary: ``prefix, total_drift, init_norm,
        relative_drift, n_params, n_tensors, per_module, per_layer, missing_in_final,
        extra_in_final, shape_mismatch``; breakdown entries are ``{drift, init_norm,
        relative, n_params}``. Sums are taken in float64.

    Raises:
        DriftKeyError: the key sets or shapes differ (unless ``allow_missing``), or
            no tensor matches the prefix.
    """
    problems = compare_keys(init, final, prefix)
    if any(problems.values()):
        lines = [f"state dicts differ under prefix {prefix!r}:"]
        for name, items in problems.items():
            if items:
                shown = ", ".join(str(i) for i in items[:10])
                more = f" ... (+{len(items) - 10} more)" if len(items) > 10 else ""
                lines.append(f"  {name} ({len(items)}): {shown}{more}")
        message = "\n".join(lines)
        if not allow_missing:
            raise DriftKeyError(message + "\n(use --allow_missing to compare the common tensors)")
        logging.warning(message)
    bad = {k for k, _, _ in problems["shape_mismatch"]}
    keys = [
        k for k, v in init.items()
        if k.startswith(prefix) and v.is_floating_point() and k in final and k not in bad
    ]
    if not keys:
        raise DriftKeyError(f"no floating-point tensor with prefix {prefix!r} in both state dicts")
    total = _Acc()
    per_module: Dict[str, _Acc] = OrderedDict()
    per_layer: Dict[str, _Acc] = OrderedDict()
    for key in keys:
        a = init[key].detach().to(torch.float64)
        b = final[key].detach().to(torch.float64)
        sq_diff = float(torch.sum((b - a) ** 2))
        sq_init = float(torch.sum(a ** 2))
        layer, module = layer_and_module(key, prefix)
        groups = (total, per_module.setdefault(module, _Acc()), per_layer.setdefault(layer, _Acc()))
        for acc in groups:
            acc.add(sq_diff, sq_init, a.numel())
    summary = total.as_dict()
    logging.info(
        "Total parameter drift (%s*): %.6g (relative %.6g) over %d params in %d tensors",
        prefix, summary["drift"], summary["relative"] or 0.0, summary["n_params"], len(keys),
    )
    return {
        "prefix": prefix,
        "total_drift": summary["drift"],
        "init_norm": summary["init_norm"],
        "relative_drift": summary["relative"],
        "n_params": summary["n_params"],
        "n_tensors": len(keys),
        "per_module": {k: v.as_dict() for k, v in per_module.items()},
        "per_layer": {k: v.as_dict() for k, v in per_layer.items()},
        **problems,
    }


def drift_markdown(report: Mapping[str, Any]) -> str:
    """A Markdown table of the per-layer breakdown."""
    rel = report["relative_drift"]
    lines = [
        "# Total Parameter Drift",
        "",
        f"- prefix: `{report['prefix']}` "
        f"({report['n_tensors']} tensors, {report['n_params']} parameters)",
        f"- total drift ‖θ_final − θ_init‖₂: {report['total_drift']:.6g}",
        f"- relative to ‖θ_init‖₂ = {report['init_norm']:.6g}: "
        + (f"{rel:.6g}" if rel is not None else "n/a (‖θ_init‖₂ = 0)"),
        "",
        "|layer|drift|relative|params|",
        "|---|---|---|---|",
    ]
    for name, e in report["per_layer"].items():
        r = f"{e['relative']:.4g}" if e["relative"] is not None else "–"
        lines.append(f"|{name}|{e['drift']:.4g}|{r}|{e['n_params']}|")
    return "\n".join(lines) + "\n"
