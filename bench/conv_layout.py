#!/usr/bin/env python3
"""Channels-last ÷ default-layout training step time: is ``--conv_channels_last`` a gain here?

``--conv_channels_last`` (default true in ``lau_st_train`` and ``espnet_lau.bin.asr_train``)
stores the Conv2d weights of the conv2d subsampling channels-last. This compares two
models of the preset's baseline config, identical but for that option, trained side by
side on the same synthetic batches (alternating, as ``train_step.py``): the figure is the
per-repeat ratio channels-last ÷ default (below 1: the option pays). Run it on the
machine you train on: ``--preset mini`` on a CPU, ``--preset jeli --device cuda`` on a GPU.

Writes ``<out_dir>/conv_layout.json``.

    python bench/conv_layout.py [--preset mini|debug|jeli] [--device cpu|cuda] [--threads 2]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Figure,
    add_device_option,
    at_most,
    base_parser,
    check_device,
    ratio_figure,
    ratios,
    setup,
    write_report,
)
from bench.train_step import StepBench  # noqa: E402
from bench.workload import Preset, get_teacher  # noqa: E402

TARGET = 1.0  # channels-last must not be slower


def run(preset: Preset, repeats: int, device: str = "cpu") -> List[Figure]:
    """The step time ratio channels-last ÷ default layout, on the baseline config."""
    bench = StepBench(preset, repeats, get_teacher(preset.teachers[0]), device=device)
    bench.add("channels_last", preset.baseline_config, None)
    bench.add("default_layout", preset.baseline_config, None,
              options=["--conv_channels_last", "false"])
    times = bench.measure()
    return [ratio_figure(
        "conv_channels_last_step_ratio",
        f"channels-last ÷ default-layout convolutions: training step time ({preset.name}, "
        f"{device})", f"≤ {TARGET:.2f}", ratios(times["channels_last"], times["default_layout"]),
        at_most(TARGET), seconds_per_step=times, **bench.settings())]


def main(cmd=None):
    parser = base_parser(__doc__)
    add_device_option(parser, "cpu")
    args = parser.parse_args(cmd)
    check_device(parser, args.device)
    preset, repeats = setup(args, "train_step")
    write_report("conv_layout", run(preset, repeats, args.device), args.out_dir)


if __name__ == "__main__":
    main()
