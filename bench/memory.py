#!/usr/bin/env python3
"""Peak resident memory (RSS) of LAU training vs the baseline, one process per run.

Peak RSS belongs to a process, so every measurement is a fresh process that builds one
model (the baseline config, or the LAU config reading precomputed ``sem_emb``) and
trains it ``memory_steps`` steps on the same seeded batches as ``bench/train_step.py``.
Processes alternate (baseline, LAU, LAU, baseline, ...), one at a time.

The processes are forked from a ``multiprocessing`` forkserver that has imported ESPnet
once (about 10-20 s here), so a run costs seconds, not an import; every process starts
from the same post-import state (``--start_method fork`` forks them from this process
instead, which skips that import: for smoke tests). In each process the kernel's
high-water mark is reset (``/proc/self/clear_refs``); after training, ``VmHWM`` of
``/proc/self/status`` is the peak RSS, and the peak minus the RSS before building the
model is what training added. Figures: LAU ÷ baseline peak RSS (target ≤ 1.05), and
LAU ÷ baseline RSS growth.

Writes ``<out_dir>/memory.json``.

    python bench/memory.py [--preset mini|debug] [--repeats 3]
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import resource
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.common import (  # noqa: E402
    REPO,
    Figure,
    alternate,
    at_most,
    base_parser,
    informative,
    ratio_figure,
    ratios,
    set_threads,
    setup,
    write_report,
)
from bench.workload import (  # noqa: E402
    PRESETS,
    Preset,
    build_model,
    get_teacher,
    make_optimizer,
    precompute,
    synthetic_batches,
    synthetic_token_list,
    train_step,
)

PEAK_TARGET = 1.05
PRELOAD = ["bench.memory"]  # imported once by the forkserver (and ESPnet with it)


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def train_and_measure(preset_name: str, lau: bool, threads: int,
                      sem_emb: Optional[Sequence[np.ndarray]] = None,
                      configs: Optional[Tuple[str, str]] = None) -> Dict[str, int]:
    """In a fresh process: train one variant and return its RSS figures in kB.

    Args:
        preset_name: a key of ``PRESETS``.
        lau: the LAU config with ``sem_emb`` (True) or the baseline config (False).
        threads: torch threads.
        sem_emb: the precomputed (B, E) embeddings of each batch, for LAU.
        configs: (baseline, LAU) configs instead of the preset's (``bench/ssl_step.py``).
    """
    set_threads(threads)
    preset = PRESETS[preset_name]
    try:  # "5" resets the peak to the current RSS (Linux >= 4.0)
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    start = _status_kb("VmRSS")
    batches = synthetic_batches(preset, preset.memory_steps)
    tokens = synthetic_token_list(preset.vocab_size)
    baseline_config, lau_config = configs or (preset.baseline_config, preset.lau_config)
    if lau:
        model, _ = build_model(Path(lau_config), tokens, sem_emb[0].shape[1])
    else:
        model, _ = build_model(Path(baseline_config), tokens)
    model.train()
    optimizer = make_optimizer(model)
    for i, batch in enumerate(batches):
        train_step(model, optimizer, batch, torch.from_numpy(sem_emb[i]) if lau else None)
    return {"start_kb": start, "peak_kb": _status_kb("VmHWM"), "end_kb": _status_kb("VmRSS"),
            "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "peak_was_reset": reset, "pid": os.getpid()}


def start_forkserver() -> None:
    """Start the forkserver now, without waiting for its imports (10-20 s, or more).

    ``run_all.py`` calls this before a part that times nothing, so that the import runs
    meanwhile; :func:`process_pool` then finds the server ready, or waits for the rest.
    """
    multiprocessing.set_forkserver_preload(PRELOAD)
    # The forkserver of Python 3.11 ignores our sys.path: give it the repo root.
    paths = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    multiprocessing.forkserver.ensure_running()


def process_pool(start_method: str = "forkserver"):
    """A pool that runs every task in a fresh process, one at a time.

    ``forkserver``: forked from a server process that has only imported ESPnet (a clean
    start, the same for every run; the server's imports cost 10-20 s once). ``fork``:
    forked from this process (no import cost, but every run starts with this process's
    memory; safe here because the benchmarks run torch on one thread by default).
    """
    if start_method == "forkserver":
        start_forkserver()
    return multiprocessing.get_context(start_method).Pool(processes=1, maxtasksperchild=1)


def add_start_method_option(parser) -> None:
    parser.add_argument("--start_method", default="forkserver", choices=("forkserver", "fork"),
                        help="how the peak-RSS processes start (default: %(default)s; "
                        "fork skips the forkserver's imports, for quick smoke tests)")


def run(preset: Preset, repeats: int, threads: int, start_method: str = "forkserver",
        configs: Optional[Tuple[str, str]] = None, variant: str = "") -> List[Figure]:
    """LAU ÷ baseline peak RSS and RSS growth, from alternating fresh processes.

    ``configs``: (baseline, LAU) configs instead of the preset's; ``variant`` then names
    them in the figures' keys and titles (``ssl``: ``peak_rss_ratio:ssl``).
    """
    teacher = get_teacher(preset.teachers[0])
    batches = synthetic_batches(preset, preset.memory_steps)
    sem_emb = [e.numpy() for e in precompute(teacher, batches)]
    print(f"peak RSS (kB) of fresh processes, {preset.memory_steps} training steps each:",
          flush=True)
    # By module name, so that the forked processes find it also when this file runs as
    # __main__.
    from bench.memory import train_and_measure as measure

    with process_pool(start_method) as pool:
        runs = alternate({
            "baseline": lambda r: pool.apply(measure, (preset.name, False, threads, None, configs)),
            "lau": lambda r: pool.apply(measure, (preset.name, True, threads, sem_emb, configs)),
        }, repeats, log=None)
    for r in range(repeats):
        print(f"  repeat {r + 1}/{repeats}: " + ", ".join(
            f"{name} peak {v[r]['peak_kb']} (start {v[r]['start_kb']})"
            for name, v in runs.items()))
    peak = {name: [v["peak_kb"] for v in values] for name, values in runs.items()}
    growth = {name: [v["peak_kb"] - v["start_kb"] for v in values] for name, values in runs.items()}
    settings = dict(preset=preset.name, steps=preset.memory_steps, batch_size=preset.batch_size,
                    seconds_per_utterance=preset.seconds, threads=threads,
                    start_method=start_method, runs=runs, configs=configs)
    key, title = (f":{variant}", f" ({variant})") if variant else ("", "")
    return [
        ratio_figure("peak_rss_ratio" + key, f"LAU ÷ baseline peak RSS of a training process{title}",
                     f"≤ {PEAK_TARGET:.2f}", ratios(peak["lau"], peak["baseline"]),
                     at_most(PEAK_TARGET), peak_kb=peak, **settings),
        ratio_figure("rss_growth_ratio" + key,
                     f"LAU ÷ baseline RSS growth in training (peak − RSS after imports){title}",
                     "—", ratios(growth["lau"], growth["baseline"]), informative,
                     growth_kb=growth),
    ]


def main(cmd=None):
    parser = base_parser(__doc__)
    add_start_method_option(parser)
    args = parser.parse_args(cmd)
    preset, repeats = setup(args, "memory")
    write_report("memory", run(preset, repeats, args.threads, args.start_method), args.out_dir)


if __name__ == "__main__":
    main()
