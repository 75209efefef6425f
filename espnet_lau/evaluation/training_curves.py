"""Per-epoch training statistics of ESPnet runs, and their plots (training stability).

ESPnet's trainer keeps every epoch's aggregated statistics in its Reporter, saved in
``<exp>/checkpoint.pth`` (``{"reporter": {"stats": {epoch: {"train"|"valid":
{key: value}}}}}``). Unlike ``train.log`` this survives a resumed training, whose log
only holds the epochs after the restart.
"""

from __future__ import annotations

import datetime
import logging
import math
import numbers
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from espnet_lau.evaluation.plots import curves_plot
from espnet_lau.utils.checkpoint import load_checkpoint
from espnet_lau.utils.fileio import PathLike

#: epoch -> {"train"|"valid" -> {key -> value}}
Curves = Dict[int, Dict[str, Dict[str, float]]]
#: (key, axis label) of the validation curves plotted by :func:`plot_validation_curves`.
#: ESPnet's ``valid/bleu`` is NLTK corpus BLEU over the *characters* of the teacher-forced
#: argmax (``espnet.nets.e2e_mt_common.ErrorCalculator``): it runs far above the decoded
#: word-level sacreBLEU of stage 13, and the label says so.
VALID_CURVES = [("loss_st", "validation translation loss (loss_st)"),
                ("acc", "validation token accuracy"),
                ("bleu", "valid/bleu: character BLEU, teacher-forced")]
CHECKPOINT = "checkpoint.pth"


def find_checkpoint(run_dir: PathLike) -> Optional[Path]:
    """The ``checkpoint.pth`` of the run's own ESPnet experiment folder, if it has one.

    That folder (where ESPnet's trainer wrote ``config.yaml`` and ``checkpoint.pth``) is
    ``run_dir`` itself, or, for a decode dir in st.sh's layout
    ``<exp>/<inference_tag>/<test_set>`` (what the recipe's stage 13 passes), the folder
    two levels up. No other folder above is searched: a ``checkpoint.pth`` elsewhere is
    someone else's.
    """
    run_dir = Path(run_dir).resolve()
    for exp in (run_dir, run_dir.parent.parent):
        if (exp / "config.yaml").is_file() and (exp / CHECKPOINT).is_file():
            return exp / CHECKPOINT
    return None


def read_reporter_state(checkpoint: PathLike, trust_pickle: bool = False) -> dict:
    """The Reporter state (``{"stats": ..., "epoch": ...}``) of an ESPnet ``checkpoint.pth``.

    Raises:
        UntrustedPickleError: the file holds other pickled objects and not ``trust_pickle``.
        ValueError: the file holds no Reporter statistics.
    """
    state = load_checkpoint(checkpoint, trust_pickle=trust_pickle)
    reporter = state.get("reporter") if isinstance(state, Mapping) else None
    if not reporter or not reporter.get("stats"):
        raise ValueError(f"{checkpoint}: no ESPnet Reporter statistics (reporter.stats)")
    return reporter


def draw_espnet_images(checkpoint: PathLike, image_dir: PathLike, trust_pickle: bool = False) -> List[Path]:
    """ESPnet's own training images (one PNG per statistic), drawn once from a checkpoint.

    The same files ESPnet's trainer redraws after every epoch with ``--use_matplotlib
    true`` (``Reporter.matplotlib_plot``), from the statistics of every epoch so far.

    Returns:
        The PNG files in ``image_dir``.
    """
    from espnet2.train.reporter import Reporter

    reporter = Reporter()
    reporter.load_state_dict(read_reporter_state(checkpoint, trust_pickle))
    image_dir = Path(image_dir)
    image_dir.mkdir(parents=True, exist_ok=True)
    reporter.matplotlib_plot(image_dir)
    return sorted(image_dir.glob("*.png"))


def read_curves(checkpoint: PathLike, trust_pickle: bool = False) -> Curves:
    """Per-epoch train/valid statistics from an ESPnet ``checkpoint.pth``.

    Non-numeric entries (durations) and NaN values are dropped.

    Raises:
        ValueError: the file holds no Reporter statistics.
    """
    stats = read_reporter_state(checkpoint, trust_pickle)["stats"]
    curves: Curves = OrderedDict()
    for epoch in sorted(stats):
        curves[int(epoch)] = {
            phase: {k: float(v) for k, v in values.items()
                    if isinstance(v, numbers.Real) and not math.isnan(float(v))}
            for phase, values in stats[epoch].items() if isinstance(values, Mapping)
        }
    return curves


def series(curves: Curves, phase: str, key: str) -> List[tuple]:
    """``[(epoch, value), ...]`` of one statistic, epochs without it skipped."""
    return [(e, s[phase][key]) for e, s in curves.items() if key in s.get(phase, {})]


def plot_validation_curves(
    runs: Mapping[str, Sequence[Curves]], plot_dir: PathLike
) -> List[Path]:
    """One PNG per validation statistic (``VALID_CURVES``): a line per run, one colour
    per system, one line style per seed.

    Args:
        runs: system -> curves of each seed.

    Returns:
        The written ``<plot_dir>/valid_<key>_per_epoch.png`` files.
    """
    written = []
    for key, label in VALID_CURVES:
        lines = OrderedDict()
        for system, seeds in runs.items():
            for i, curves in enumerate(seeds):
                points = series(curves, "valid", key)
                if points:
                    lines[(system, i)] = points
        if not lines:
            logging.info("No run has valid/%s: no plot", key)
            continue
        written.append(curves_plot(lines, Path(plot_dir) / f"valid_{key}_per_epoch.png",
                                   title=f"{label} per epoch", ylabel=label))
    return written


def read_epoch_seconds(checkpoint: PathLike, trust_pickle: bool = False) -> Dict[int, Dict[str, float]]:
    """Wall-clock seconds of every epoch's train and valid phase, from an ESPnet
    ``checkpoint.pth``: the Reporter's ``time`` of each phase (a ``timedelta``, which
    :func:`read_curves` drops as a duration).

    Returns:
        ``{epoch: {"train"|"valid": seconds}}``, phases without a ``time`` left out.

    Raises:
        UntrustedPickleError: the file holds other pickled objects and not ``trust_pickle``.
        ValueError: the file holds no Reporter statistics.
    """
    stats = read_reporter_state(checkpoint, trust_pickle)["stats"]
    seconds: Dict[int, Dict[str, float]] = OrderedDict()
    for epoch in sorted(stats):
        seconds[int(epoch)] = {phase: values["time"].total_seconds()
                               for phase, values in stats[epoch].items()
                               if isinstance(values, Mapping) and isinstance(values.get("time"), datetime.timedelta)}
    return seconds
