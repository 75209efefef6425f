#!/usr/bin/env python3
"""Write an ST config (LAU or baseline) that starts from a self-supervised speech model.

``--ssl_model`` is a Hugging Face ``save_pretrained`` folder of a wav2vec2, HuBERT or WavLM
model (XLS-R 300M, MMS 300M, ...): ``config.json``, the weights and, usually,
``preprocessor_config.json``. The output config has ``frontend: hf_ssl`` (the weighted sum of
the model's hidden states), a linear pre-encoder to ``--preencoder_size``, per-utterance
normalisation, no feature extraction in the statistics stage, and the upstream frozen
(``--ssl_finetune true``: trained, its CNN frozen, after ``--ssl_frozen_steps`` forward
passes). The changes are logged, one line each. See ``espnet_lau/pretrained/ssl_config.py``.

Example:
    python -m espnet_lau.bin.prepare_ssl_config --ssl_model downloads/wav2vec2-xls-r-300m \\
        --st_config conf/tuning/train_st_conformer_jeli_lau_mse_lambda1.0.yaml \\
        --output exp/ssl_configs/train_st_conformer_jeli_lau_mse_lambda1.0_ssl.yaml
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional

import yaml
from espnet2.utils.types import str2bool

from espnet_lau.bin.check_configs import config_problem
from espnet_lau.pretrained.ssl_config import SSLOptions, ssl_st_config
from espnet_lau.pretrained.ssl_model_dir import SSLModelError, read_ssl_model_dir
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.fileio import write_text_atomic


def _bool_or_auto(value: str) -> Optional[bool]:
    return None if value.lower() == "auto" else str2bool(value)


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ssl_model", required=True, help="save_pretrained folder of a wav2vec2/HuBERT/WavLM model")
    parser.add_argument("--st_config", required=True, help="the ST config to start from (default fbank frontend)")
    parser.add_argument("--output", required=True, help="the ST config to write")
    parser.add_argument("--ssl_finetune", type=str2bool, default=False,
                        help="false: the upstream stays frozen; true: it trains (its CNN frozen)")
    parser.add_argument("--ssl_frozen_steps", type=int, default=0,
                        help="with --ssl_finetune true: training forward passes before the upstream trains")
    parser.add_argument("--ssl_layer", type=int, default=-1,
                        help="-1: weighted sum of all hidden states; N: hidden state N only")
    parser.add_argument("--preencoder_size", type=int, default=80, help="width the encoder reads")
    parser.add_argument("--adapt_input_layer", type=str2bool, default=True,
                        help="true: halve the encoder's conv2d subsampling (20 ms SSL frames)")
    parser.add_argument("--ssl_normalize_waveform", type=_bool_or_auto, default=None, metavar="auto|true|false",
                        help="auto: do_normalize of the model's preprocessor_config.json")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd, log_as="prepare_ssl_config")
    with user_errors("prepare_ssl_config", SSLModelError):
        info = read_ssl_model_dir(args.ssl_model)
        problem = config_problem(Path(args.st_config))
        if problem:
            raise SSLModelError(f"--st_config {args.st_config}: {problem}")
        config = yaml.safe_load(Path(args.st_config).read_text(encoding="utf-8")) or {}
        options = SSLOptions(finetune=args.ssl_finetune, frozen_steps=args.ssl_frozen_steps, layer=args.ssl_layer,
                             preencoder_size=args.preencoder_size, adapt_input_layer=args.adapt_input_layer,
                             normalize_waveform=args.ssl_normalize_waveform)
        out, notes = ssl_st_config(config, info, options)
        header = (f"# Written by espnet_lau.bin.prepare_ssl_config from {args.st_config} and {info.path}:\n"
                  + "".join(f"#   {note}\n" for note in notes))
        write_text_atomic(args.output, header + yaml.safe_dump(out, sort_keys=False, allow_unicode=True))
    for note in notes:
        logging.info(note)
    logging.info(f"wrote {args.output}")


if __name__ == "__main__":
    run_main(main)
