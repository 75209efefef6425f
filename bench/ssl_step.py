#!/usr/bin/env python3
"""What LAU costs on a self-supervised frontend: step time and peak memory, LAU ÷ baseline.

The preset's baseline and LAU configs are moved onto the SSL frontend as
``--ssl_model`` does it (``espnet_lau.pretrained.ssl_config``: ``frontend: hf_ssl`` with the
weighted layer sum, linear pre-encoder, frozen upstream) on a small random wav2vec2 made
here (7 CNN layers with XLS-R's strides, 4 transformer layers of width 64: no hub, and the
frontend costs a realistic share of a CPU step at this size). Then, as for the fbank
configs: the step times of both trained side by side on the same batches, alternating
(``bench/train_step.py``; target ≤ 1.01: the frozen upstream's forward is common to both,
so LAU's head weighs less than on fbank), and the peak RSS of fresh training processes
(``bench/memory.py``; target ≤ 1.05).

Writes ``<out_dir>/ssl_step.json``.

    python bench/ssl_step.py [--preset mini|debug] [--repeats 12] [--threads 1]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import List, Tuple

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import yaml  # noqa: E402

from bench import memory  # noqa: E402
from bench.common import Figure, at_most, base_parser, ratio_figure, ratios, setup, write_report  # noqa: E402
from bench.train_step import StepBench  # noqa: E402
from bench.workload import Preset, get_teacher  # noqa: E402
from espnet_lau.pretrained.ssl_config import SSLOptions, ssl_st_config  # noqa: E402
from espnet_lau.pretrained.ssl_model_dir import read_ssl_model_dir  # noqa: E402

SSL_STEP_TARGET = 1.01
#: A small wav2vec2 with XLS-R's CNN strides (frames every 320 samples).
SMALL_WAV2VEC2 = dict(hidden_size=64, num_hidden_layers=4, num_attention_heads=4, intermediate_size=256,
                      conv_dim=(32,) * 7, conv_kernel=(10, 3, 3, 3, 3, 2, 2), conv_stride=(5, 2, 2, 2, 2, 2, 2),
                      feat_extract_norm="layer", do_stable_layer_norm=True)


def ssl_configs(preset: Preset, workdir: Path) -> Tuple[Path, Path]:
    """The preset's (baseline, LAU) configs on a frozen small wav2vec2 saved in ``workdir``."""
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

    model_dir = workdir / "wav2vec2_small"
    torch.manual_seed(0)
    Wav2Vec2Model(Wav2Vec2Config(**SMALL_WAV2VEC2)).save_pretrained(str(model_dir))
    Wav2Vec2FeatureExtractor().save_pretrained(str(model_dir))
    info = read_ssl_model_dir(model_dir)
    written = []
    for config in (preset.baseline_config, preset.lau_config):
        out, _ = ssl_st_config(yaml.safe_load(config.read_text(encoding="utf-8")), info, SSLOptions())
        path = workdir / f"{config.stem}_ssl.yaml"
        path.write_text(yaml.safe_dump(out), encoding="utf-8")
        written.append(path)
    return written[0], written[1]


def run(preset: Preset, repeats: int, threads: int, start_method: str = "forkserver") -> List[Figure]:
    """The SSL step-time figure and the SSL peak-RSS figures."""
    with tempfile.TemporaryDirectory() as tmp:
        baseline, lau = ssl_configs(preset, Path(tmp))
        bench = StepBench(preset, repeats, get_teacher(preset.teachers[0]))
        bench.add("baseline", baseline, None)
        bench.add("lau", lau, bench.sem_emb.__getitem__, bench.teacher.dim)
        times = bench.measure()
        figures = [ratio_figure(
            "train_step_time_ratio:ssl", "LAU ÷ baseline training step time, frozen SSL frontend",
            f"≤ {SSL_STEP_TARGET:.2f}", ratios(times["lau"], times["baseline"]), at_most(SSL_STEP_TARGET),
            seconds_per_step=times, ssl_model=SMALL_WAV2VEC2, **bench.settings())]
        figures += memory.run(preset, repeats, threads, start_method, configs=(str(baseline), str(lau)),
                              variant="ssl")
    return figures


def main(cmd=None):
    parser = base_parser(__doc__)
    memory.add_start_method_option(parser)
    args = parser.parse_args(cmd)
    preset, repeats = setup(args, "train_step")
    write_report("ssl_step", run(preset, repeats, args.threads, args.start_method), args.out_dir)


if __name__ == "__main__":
    main()
