"""Statistics over repeated runs: mean ± sd, and is one system better than another?

On this corpus seed noise alone moves BLEU by 5-15 points, so an effect is judged across
training seeds, never across utterances of one run (sacrebleu's paired bootstrap over
utterances is :mod:`espnet_lau.evaluation.significance`).

* :func:`mean_std`, :func:`format_mean_std`: mean ± sample sd of repeats (KMeans seeds,
  training seeds).
* :func:`paired_difference`: two systems trained with the same seeds; the mean seed-paired
  difference with its 95 % t interval, a paired t test (``scipy.stats.ttest_rel``) and an
  exact paired permutation test (``scipy.stats.permutation_test``, sign flips).
* :func:`unpaired_difference`: all seeds of both arms, whatever their pairing (pairing by
  seed buys nothing when seeds do not correlate across systems); Welch's 95 % interval of
  the difference of means and a permutation test of it (``scipy.stats.permutation_test``,
  ``permutation_type="independent"``), exact whenever the arrangements are few.
* :func:`spread_comparison`: is one arm's seed spread wider? Levene's test with the median
  (Brown-Forsythe, ``scipy.stats.levene``) and a percentile bootstrap 95 % interval of the
  ratio of the sds, with a fixed seed.
* :func:`holm`: Holm's correction of a family of p-values (``statsmodels``).
"""

from __future__ import annotations

import math
import warnings
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

# scipy.stats and statsmodels (about 1 s of imports, pandas included) are imported by the
# functions that test, so that a tool that only formats results starts without them.

#: Up to this many distinct arrangements of the seeds the permutation test is exact.
MAX_EXACT_ARRANGEMENTS = 100_000
#: Random arrangements when there are more (a seeded Monte Carlo test).
MONTE_CARLO_RESAMPLES = 9_999
#: Bootstrap resamples of the sd ratio, and the seed that makes them repeatable.
BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0


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


def paired_difference(reference: Mapping[int, float], system: Mapping[int, float]) -> Optional[Dict[str, float]]:
    """``system − reference`` over the seeds both have.

    Args:
        reference, system: ``{seed: value}``.

    Returns:
        ``{"n", "mean", "sd", "ci_low", "ci_high", "p_t", "p_permutation"}``, or None with
        fewer than two common seeds (no interval, no test). With n seeds the smallest
        possible permutation p is 2 / 2^n (0.0625 for 5 seeds).
    """
    from scipy import stats

    seeds = sorted(set(reference) & set(system))
    if len(seeds) < 2:
        return None
    diff = np.array([system[s] - reference[s] for s in seeds], dtype=float)
    n, mean, sd = len(diff), float(diff.mean()), float(diff.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)) if sd > 0 else 0.0
    if sd > 0:
        p_t = float(stats.ttest_rel([system[s] for s in seeds], [reference[s] for s in seeds]).pvalue)
    else:
        p_t = 0.0 if mean != 0 else 1.0
    p_perm = float(stats.permutation_test(
        (diff,), np.mean, permutation_type="samples", n_resamples=math.inf, alternative="two-sided",
    ).pvalue) if np.any(diff != 0) else 1.0
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half,
            "p_t": p_t, "p_permutation": p_perm}


def _difference_of_means(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(b, axis=axis) - np.mean(a, axis=axis)


def unpaired_difference(a: Sequence[float], b: Sequence[float]) -> Optional[Dict[str, object]]:
    """``mean(b) − mean(a)`` over all values of both arms, unpaired.

    The permutation test reassigns the pooled values to the two arms: exact (every one of
    the C(n_a + n_b, n_a) arrangements) when there are at most
    ``MAX_EXACT_ARRANGEMENTS``, else ``MONTE_CARLO_RESAMPLES`` random ones with a fixed
    seed. Two-sided; 3 against 3 fully separated values give p = 2/20 = 0.1, the
    smallest possible with 3 seeds an arm.

    Returns:
        ``{"n_a", "n_b", "mean_a", "mean_b", "difference", "ci_low", "ci_high" (Welch's
        95 % t interval), "p_permutation", "exact" (bool), "arrangements" (how many were
        scored)}``, or None when an arm has fewer than two values.
    """
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return None
    difference = float(y.mean() - x.mean())
    if x.std(ddof=1) == 0 and y.std(ddof=1) == 0:  # Welch's interval is undefined: no spread at all
        low = high = difference
    else:
        with warnings.catch_warnings():  # an arm of equal values but for rounding: harmless here
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
            interval = stats.ttest_ind(y, x, equal_var=False).confidence_interval(0.95)
        low, high = float(interval.low), float(interval.high)
    total = math.comb(x.size + y.size, x.size)
    exact = total <= MAX_EXACT_ARRANGEMENTS
    if np.all(np.concatenate([x, y]) == x[0]):
        p = 1.0  # every arrangement is the observed one
    else:
        p = float(stats.permutation_test(
            (x, y), _difference_of_means, permutation_type="independent", vectorized=True,
            n_resamples=math.inf if exact else MONTE_CARLO_RESAMPLES, alternative="two-sided",
            rng=np.random.default_rng(BOOTSTRAP_SEED),
        ).pvalue)
    return {"n_a": int(x.size), "n_b": int(y.size), "mean_a": float(x.mean()), "mean_b": float(y.mean()),
            "difference": difference, "ci_low": low, "ci_high": high, "p_permutation": p,
            "exact": exact, "arrangements": total if exact else MONTE_CARLO_RESAMPLES}


def spread_comparison(a: Sequence[float], b: Sequence[float]) -> Optional[Dict[str, float]]:
    """Is the seed spread of ``b`` different from that of ``a``?

    Levene's test with ``center="median"`` (robust to the skewed, collapse-prone BLEU of a
    few seeds), and sd(b) / sd(a) with a percentile bootstrap 95 % interval: each arm
    resampled with replacement ``BOOTSTRAP_RESAMPLES`` times (seed ``BOOTSTRAP_SEED``).
    With 3 seeds an arm, a resample repeats one value with probability 1/9, so its sd is 0
    and the ratio 0 or infinite: the interval bounds come from the resampled ratios
    themselves (``inverted_cdf``), which may be 0 or ``inf`` — an honest "unbounded".
    Resamples where both sds are 0 (ratio undefined) are left out.

    Returns:
        ``{"sd_a", "sd_b", "ratio", "ratio_low", "ratio_high", "p_levene"}`` (``ratio`` is
        ``inf`` when sd(a) is 0; ``p_levene`` NaN when neither arm varies), or None when
        an arm has fewer than two values.
    """
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return None
    sd_a, sd_b = float(x.std(ddof=1)), float(y.std(ddof=1))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    boot_a = x[rng.integers(0, x.size, (BOOTSTRAP_RESAMPLES, x.size))].std(axis=1, ddof=1)
    boot_b = y[rng.integers(0, y.size, (BOOTSTRAP_RESAMPLES, y.size))].std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = boot_b / boot_a
        ratio = sd_b / sd_a if sd_a > 0 else (math.inf if sd_b > 0 else math.nan)
    ratios = ratios[~np.isnan(ratios)]
    low, high = (np.quantile(ratios, [0.025, 0.975], method="inverted_cdf") if ratios.size
                 else (math.nan, math.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_levene = float(stats.levene(x, y, center="median").pvalue) if sd_a > 0 or sd_b > 0 else math.nan
    return {"sd_a": sd_a, "sd_b": sd_b, "ratio": float(ratio), "ratio_low": float(low),
            "ratio_high": float(high), "p_levene": p_levene}


def holm(pvalues: Sequence[float]) -> List[float]:
    """Holm-adjusted p-values, in the order given."""
    from statsmodels.stats.multitest import multipletests

    if not pvalues:
        return []
    return [float(p) for p in multipletests(list(pvalues), method="holm")[1]]
