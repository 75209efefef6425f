#!/usr/bin/env python3
"""Write the training config of an OWSM fine-tuning: the checkpoint's model, the recipe's settings.

Every model key (frontend, normalize, encoder, decoder, model, preprocessor, their
``*_conf``, the tokens) comes from ``--pretrained_config`` (the ``config.yaml`` of the
checkpoint, e.g. the one ``extend_tokens`` wrote); ``--finetune_config`` (optimiser,
epochs, batches, LAU, ``preprocessor_conf`` changes) is laid over it, ``*_conf`` mappings
key by key. A fine-tuning config that names another model class is refused.

Example::

    python -m espnet_lau.bin.s2t_finetune_config --pretrained_config exp/owsm_bam/config.yaml \\
        --finetune_config conf/tuning/train_s2t_owsm_lau_mse_std_r1.0.yaml --out exp/s2t_x/train.yaml
"""

import argparse
import logging

from espnet_lau.owsm.finetune_config import FinetuneConfigError, write_finetune_config
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrained_config", required=True, help="the checkpoint's training config.yaml")
    parser.add_argument("--finetune_config", required=True, help="the recipe's fine-tuning config (no model keys)")
    parser.add_argument("--out", required=True, help="the merged config to train with")
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    with user_errors("s2t_finetune_config", FinetuneConfigError):
        merged = write_finetune_config(args.pretrained_config, args.finetune_config, args.out)
    logging.info(f"{args.out}: encoder {merged.get('encoder')}, decoder {merged.get('decoder')}, "
                 f"{len(merged.get('token_list') or [])} tokens, settings of {args.finetune_config}")


if __name__ == "__main__":
    run_main(main)
