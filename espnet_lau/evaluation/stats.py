"""Mean ± standard deviation over repeated runs (KMeans seeds, training seeds)."""

from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np


def mean_std(values: Sequence[float]) -> Dict[str, object]:
    """Summarise repeated measurements.

    The standard deviation is the sample one (``ddof=1``); it is 0.0 for one value.

    Returns:
        ``{"mean": float, "std": float, "n": int, "values": [float, ...]}``
    """
    arr = np.asarray(list(values), dtype=np.float64)
    if arr.size == 0:
        raise ValueError("mean_std of no values")
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    vals: List[float] = [float(v) for v in arr]
    return {"mean": float(arr.mean()), "std": std, "n": int(arr.size), "values": vals}


def format_mean_std(stat: Dict[str, object], digits: int = 2) -> str:
    """``"12.34"`` for one value, ``"12.34 ± 0.56"`` for several."""
    if stat["n"] > 1:
        return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"
    return f"{stat['mean']:.{digits}f}"
