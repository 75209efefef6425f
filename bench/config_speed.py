#!/usr/bin/env python3
"""The mini configs' front end ÷ the previous one: training step time (issue 12, item 5).

The mini ASR and ST configs compute 40 mel bins every 16 ms (``n_mels: 40``,
``hop_length: 256``) instead of 80 every 10 ms. The conv2d subsampling, most of a CPU
training step, then sees about a third of the time-frequency bins. This trains two
models of the preset's baseline config side by side on the same synthetic batches
(alternating, as ``train_step.py``): the config as it is, and the same config with the
previous front end given as options. The figure is the per-repeat step-time ratio
(target ≤ 0.5: a run at least twice as fast at the same epochs).

Writes ``<out_dir>/config_speed.json``.

    python bench/config_speed.py [--preset mini|debug] [--threads 1]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Figure, at_most, base_parser, ratio_figure, ratios, setup, write_report  # noqa: E402
from bench.train_step import StepBench  # noqa: E402
from bench.workload import Preset, get_teacher  # noqa: E402

TARGET = 0.5
#: The mini configs' front end before issue 12.
PREVIOUS_FRONT_END = ["--frontend_conf", "n_mels=80", "--frontend_conf", "hop_length=160",
                      "--specaug_conf", "freq_mask_width_range=[0,15]",
                      "--specaug_conf", "time_mask_width_range=[0,20]"]


def run(preset: Preset, repeats: int) -> List[Figure]:
    """Step time of the config as it is ÷ the same config with the previous front end."""
    bench = StepBench(preset, repeats, get_teacher(preset.teachers[0]))
    bench.add("current_front_end", preset.baseline_config, None)
    bench.add("previous_front_end", preset.baseline_config, None, options=PREVIOUS_FRONT_END)
    times = bench.measure()
    return [ratio_figure(
        "front_end_step_ratio",
        f"{preset.baseline_config.name} as it is ÷ with 80 mels every 10 ms: training step "
        f"time ({preset.name})", f"≤ {TARGET:.2f}",
        ratios(times["current_front_end"], times["previous_front_end"]),
        at_most(TARGET), seconds_per_step=times, **bench.settings())]


def main(cmd=None):
    args = base_parser(__doc__).parse_args(cmd)
    preset, repeats = setup(args, "train_step")
    write_report("config_speed", run(preset, repeats), args.out_dir)


if __name__ == "__main__":
    main()
