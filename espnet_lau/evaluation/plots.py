"""PNG plots of the evaluation results (matplotlib, headless Agg backend)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from espnet_lau.evaluation.results import METRICS, SystemResult  # noqa: E402
from espnet_lau.utils.fileio import PathLike

#: (λ values, means, stds) of one line.
Series = Tuple[Sequence[float], Sequence[float], Sequence[float]]


def _save(fig, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (parents created) and free it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
    logging.info("Wrote %s", path)
    return path


def bar_plot(
    names: Sequence[str], values: Sequence[float], path: PathLike, title: str, ylabel: str
) -> Path:
    """One bar per name (e.g. per-layer drift), labels rotated for long names."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(names) + 2), 4.5))
    ax.bar(range(len(names)), values, color="tab:blue")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def lines_plot(
    series: Mapping[str, Series],
    path: PathLike,
    title: str,
    xlabel: str,
    ylabel: str,
    hlines: Optional[Mapping[str, float]] = None,
    band: bool = False,
) -> Path:
    """One line with error bars per series, plus dashed horizontal reference lines;
    ``band``: a shaded mean ± sd band instead of error bars (for many points, e.g. epochs)."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(7.0, 4.5) if band else (6.0, 4.5))
    for i, (label, (xs, means, stds)) in enumerate(series.items()):
        if band:
            low = [m - s for m, s in zip(means, stds)]
            high = [m + s for m, s in zip(means, stds)]
            ax.plot(xs, means, color=f"C{i % 10}", marker=".", label=label)
            ax.fill_between(xs, low, high, color=f"C{i % 10}", alpha=0.2)
        else:
            ax.errorbar(xs, means, yerr=stds, marker="o", capsize=3, label=label)
    for i, (label, value) in enumerate((hlines or {}).items()):
        ax.axhline(value, linestyle="--", color=f"C{(len(series) + i) % 10}", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if series or hlines:
        ax.legend(fontsize=8)
    return _save(fig, path)


LINE_STYLES = ["-", "--", ":", "-."]


def curves_plot(
    lines: Mapping[Tuple[str, int], Sequence[Tuple[float, float]]],
    path: PathLike,
    title: str,
    ylabel: str,
    xlabel: str = "epoch",
) -> Path:
    """Curves keyed by (system, seed index): one colour per system, one line style per
    seed, so the seed-to-seed spread of each system is visible at a glance."""
    path = Path(path)
    systems = list(dict.fromkeys(system for system, _ in lines))
    fig, ax = plt.subplots(figsize=(7.0, 4.5))
    for (system, seed), points in lines.items():
        xs, ys = zip(*points)
        ax.plot(xs, ys, color=f"C{systems.index(system) % 10}",
                linestyle=LINE_STYLES[seed % len(LINE_STYLES)], marker=".",
                label=f"{system} #{seed}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, path)


def plot_against_lambda(systems: Sequence[SystemResult], plot_dir: PathLike) -> List[Path]:
    """One PNG per metric: mean (± std) against λ, one line per loss type; systems
    without LAU (λ absent or 0) are dashed horizontal lines. Metrics without any value
    get no plot.

    Returns:
        The written files, ``<plot_dir>/<metric>_vs_lambda.png``.
    """
    written = []
    for key, col, _ in METRICS:
        series: Dict[str, Tuple[List[float], List[float], List[float]]] = OrderedDict()
        points = sorted(
            ((s.semantic_loss or "?", s.semantic_weight, s.metrics[key])
            for s in systems if s.is_lau and s.metrics[key]),
            key=lambda p: (p[0], p[1]),
        )
        for loss, lam, stat in points:
            xs, ms, ss = series.setdefault(loss, ([], [], []))
            xs.append(lam)
            ms.append(stat["mean"])
            ss.append(stat["std"])
        hlines = {
            s.name: s.metrics[key]["mean"] for s in systems if not s.is_lau and s.metrics[key]
        }
        if not series and not hlines:
            continue
        written.append(
            lines_plot(
                series, Path(plot_dir) / f"{key}_vs_lambda.png", title=f"{col} against λ",
                xlabel="λ (semantic_weight)", ylabel=col, hlines=hlines,
            )
        )
    return written
