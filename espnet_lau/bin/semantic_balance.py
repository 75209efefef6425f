#!/usr/bin/env python3
"""Measure how strongly LAU's semantic loss pulls on the encoder, and the λ for a target.

Takes exactly the options of ``lau_st_train`` (config, data, ``--init_param``), builds the
model as training would, draws ``--num_batches`` real training batches, and measures on
each the balance ratio ``r = ‖∇enc λ·L_sem‖ / ‖∇enc L_ST‖`` from the encoder gradients
(:mod:`espnet_lau.semantic.balance`). It prints r at the config's λ and the λ that gives
``--target_ratio``. A baseline config (λ = 0) is measured at λ = 1 with a fresh head.

Example (what the recipe runs before ST training)::

    python -m espnet_lau.bin.semantic_balance --config conf/tuning/train_st_lau_mse_lambda1.0.yaml \\
        <the data options of lau_st_train> --init_param exp/asr/valid.acc.ave.pth:encoder:encoder \\
        --num_batches 4 --target_ratio 1.0 --balance_out exp/st/semantic_balance.json
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Optional, Sequence

from espnet2.torch_utils.set_all_random_seed import set_all_random_seed

from espnet_lau.semantic.balance import BalanceMeasurement, measure_balance
from espnet_lau.tasks.init_check import request_init_check
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_weight import (
    check_lau_options,
    drop_unused_source_text,
    measure_at_start,
    training_batches,
)
from espnet_lau.utils.checkpoint import add_trust_pickle_option, check_init_params, load_state_dict
from espnet_lau.utils.cli import parse_args, run_main, user_errors
from espnet_lau.utils.fileio import write_json_atomic
from espnet_lau.utils.numbers import positive_float, positive_int


def get_parser() -> argparse.ArgumentParser:
    parser = LAUSTTask.get_parser()
    parser.description = (
        "Measure r = ||grad_encoder(lambda*L_sem)|| / ||grad_encoder(L_ST)|| on real training "
        "batches and print the lambda that gives --target_ratio. Takes every option of "
        "lau_st_train (config, data, --init_param) plus the ones below."
    )
    group = parser.add_argument_group("semantic_balance")
    group.add_argument("--checkpoint", type=str, default=None,
                       help="A LAU model file or checkpoint.pth to measure (default: the model "
                       "as training starts it, i.e. after --init_param)")
    group.add_argument("--exp_config", type=str, default=None,
                       help="The config.yaml of a LAU training (<st_exp>/config.yaml): build the "
                       "model and draw the batches as that training did, then load --checkpoint "
                       "(no other training option is needed)")
    group.add_argument("--num_batches", type=positive_int, default=4,
                       help="Training batches to measure (median over them)")
    group.add_argument("--target_ratio", type=positive_float, default=1.0,
                       help="Print the lambda at which r reaches this value")
    group.add_argument("--balance_out", type=str, default=None,
                       help="Write the measurement as JSON to this file")
    add_trust_pickle_option(group)  # for the --init_param files and --checkpoint
    return parser


def measure(args: argparse.Namespace) -> BalanceMeasurement:
    """Build the model as its training does (or did) and measure the balance."""
    if args.exp_config:
        model, train_args = trained_model(args)
        model.train()  # the gradients training sees: dropout and SpecAugment on
        set_all_random_seed(train_args.seed)
        return measure_balance(model, training_batches(LAUSTTask, train_args, args.num_batches),
                               train_args.semantic_weight)
    check_lau_options(args)
    drop_unused_source_text(args)  # as lau_st_train: the model training would build
    check_init_params(args.init_param, args.trust_pickle)
    request_init_check(args, args.trust_pickle)  # matched against the model it builds
    if args.semantic_target_ratio is not None:
        args.target_ratio = args.semantic_target_ratio
    if not args.semantic_weight:
        logging.info("no λ (a baseline config, or semantic_target_ratio): measuring at λ = 1 with a fresh head")
    return measure_at_start(LAUSTTask, args, args.num_batches, args.checkpoint, args.trust_pickle)


def trained_model(args: argparse.Namespace):
    """(model, its training's args) from ``--exp_config`` and ``--checkpoint``."""
    if not args.checkpoint:
        raise ValueError("--exp_config needs --checkpoint (e.g. <st_exp>/valid.acc.ave.pth)")
    if not Path(args.exp_config).is_file():
        raise FileNotFoundError(f"{args.exp_config} does not exist")
    model, train_args = LAUSTTask.build_model_from_file(args.exp_config, None, "cpu")
    if model.semantic_head is None:
        raise ValueError(f"{args.exp_config} trained no semantic head (semantic_weight 0)")
    model.load_state_dict(load_state_dict(Path(args.checkpoint), args.trust_pickle), strict=True)
    for name in ("semantic_loss", "semantic_target_norm"):  # for the printed summary
        setattr(args, name, getattr(train_args, name, getattr(args, name)))
    return model, train_args


def main(cmd: Optional[Sequence[str]] = None) -> BalanceMeasurement:
    parser = get_parser()
    args = parse_args(parser, cmd)
    with user_errors("semantic_balance", ValueError):
        result = measure(args)
    per_unit = [b.ratio_per_unit_lambda * result.semantic_weight for b in result.batches]
    print(
        f"semantic balance ({args.semantic_loss}, "
        f"target norm {args.semantic_target_norm}, λ = {result.semantic_weight:g}, "
        f"{len(result.batches)} batches): r = {result.ratio:.4g} "
        f"(min {min(per_unit):.4g}, max {max(per_unit):.4g}); "
        f"λ·L_sem/L_ST = {result.loss_ratio:.4g}; "
        f"λ for r = {args.target_ratio:g}: {result.lambda_for(args.target_ratio):.4g}",
        flush=True,
    )
    if args.balance_out:
        out = result.as_dict(args.target_ratio)
        out.update(semantic_loss=args.semantic_loss, semantic_target_norm=args.semantic_target_norm,
                   config=args.exp_config or args.config, init_param=list(args.init_param),
                   checkpoint=args.checkpoint)
        write_json_atomic(args.balance_out, out, sort_keys=False)
    return result


if __name__ == "__main__":
    run_main(main)
