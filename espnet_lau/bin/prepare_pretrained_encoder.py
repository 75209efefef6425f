#!/usr/bin/env python3
"""Write an ST config that starts from any pretrained ESPnet speech model's encoder
(the recipe's ``--pretrained_encoder``; usable alone).

    python -m espnet_lau.bin.prepare_pretrained_encoder --model owsm_v4_base/ \\
        --st_config conf/tuning/train_st_lau_mse_std_r1.0.yaml \\
        --out_config exp/pretrained_owsm_v4_base/train_st.yaml \\
        --stats_out exp/st_stats_owsm/train/feats_stats.npz

``--model`` is the model as you hold it: a folder with ``meta.yaml`` (an unpacked zoo
model, a Hugging Face ESPnet repository: OWSM v3.1/v4 S2T, ASR or ST), an experiment
folder (``config.yaml`` and ``valid.acc.ave.pth``), a ``.pth`` next to its
``config.yaml``, or a zip of ``espnet2.bin.pack`` (unpacked, checked, into
``--unpack_dir``). ``--out_config`` is ``--st_config`` (its baseline or LAU parts kept)
with the model's front end, global_mvn statistics (copied to ``--stats_out``) and encoder,
and ``init_param: [<model file>:encoder:encoder]``. Nothing is unpickled here: the model
file is read, weights-only, when training starts and its tensors are matched against the
ST model (``lau_st_train`` logs ``loaded N of M encoder tensors``).
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from espnet_lau.pretrained.st_config import write_pretrained_st_config
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True,
                        help="the pretrained ESPnet model: a folder (meta.yaml, or config.yaml and a .pth), "
                        "a .pth next to its config.yaml, or a packed zip")
    parser.add_argument("--st_config", required=True, help="the ST config to start from (baseline or LAU)")
    parser.add_argument("--out_config", required=True, help="the ST config written")
    parser.add_argument("--stats_out", default=None,
                        help="copy the model's feats_stats.npz here and name the copy in the config "
                        "(default: name the model's own file)")
    parser.add_argument("--unpack_dir", default=None, help="where a zip is unpacked (required for a zip)")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd, log_as="prepare_pretrained_encoder")
    with user_errors("prepare_pretrained_encoder"):
        write_pretrained_st_config(args.model, args.st_config, args.out_config, args.stats_out, args.unpack_dir)


if __name__ == "__main__":
    run_main(main)
