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

from espnet2.torch_utils.load_pretrained_model import load_pretrained_model
from espnet2.torch_utils.set_all_random_seed import set_all_random_seed
from espnet2.train.distributed_utils import DistributedOption

from espnet_lau.cli import parse_args, run_main, user_errors
from espnet_lau.export import load_state_dict
from espnet_lau.fileio import write_json_atomic
from espnet_lau.numbers import positive_float, positive_int
from espnet_lau.semantic.balance import BalanceMeasurement, measure_balance
from espnet_lau.tasks.lau_st import DATA_OPTIONS, SEM_EMB, LAUSTTask, sem_emb_scps


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
    return parser


def _batches(args: argparse.Namespace, num_batches: int):
    """The first ``num_batches`` batches of training epoch 1, as training would draw them."""
    factory = LAUSTTask.build_iter_factory(
        args=args, distributed_option=DistributedOption(distributed=False), mode="train"
    )
    for count, (utt_ids, batch) in enumerate(factory.build_iter(1, shuffle=True)):
        if count >= num_batches:
            return
        if SEM_EMB not in batch:
            raise ValueError("the training batches hold no sem_emb")
        yield {**batch, "utt_id": list(utt_ids)}


def measure(args: argparse.Namespace) -> BalanceMeasurement:
    """Build the model as its training does (or did) and measure the balance."""
    model, train_args = trained_model(args) if args.exp_config else starting_model(args)
    model.train()  # the gradients training sees: dropout and SpecAugment on
    set_all_random_seed(train_args.seed)
    return measure_balance(model, _batches(train_args, args.num_batches), train_args.semantic_weight)


def starting_model(args: argparse.Namespace):
    """(model, args) as ``lau_st_train`` starts it from the options (after ``--init_param``)."""
    if not sem_emb_scps(args, DATA_OPTIONS[:1]):
        raise ValueError(
            "no sem_emb in the training data: pass --train_data_path_and_name_and_type "
            "<dir>/sem_emb.scp,sem_emb,npy (made by python -m espnet_lau.bin.embed_text)"
        )
    if args.semantic_weight == 0:
        logging.info("semantic_weight is 0 (baseline config): measuring at λ = 1 with a fresh head")
        args.semantic_weight = 1.0
    set_all_random_seed(args.seed)
    model = LAUSTTask.build_model(args)
    for init in args.init_param:
        load_pretrained_model(init, model, args.ignore_init_mismatch, map_location="cpu")
    if args.checkpoint:
        model.load_state_dict(load_state_dict(Path(args.checkpoint)), strict=True)
    return model, args


def trained_model(args: argparse.Namespace):
    """(model, its training's args) from ``--exp_config`` and ``--checkpoint``."""
    if not args.checkpoint:
        raise ValueError("--exp_config needs --checkpoint (e.g. <st_exp>/valid.acc.ave.pth)")
    if not Path(args.exp_config).is_file():
        raise FileNotFoundError(f"{args.exp_config} does not exist")
    model, train_args = LAUSTTask.build_model_from_file(args.exp_config, None, "cpu")
    if model.semantic_head is None:
        raise ValueError(f"{args.exp_config} trained no semantic head (semantic_weight 0)")
    model.load_state_dict(load_state_dict(Path(args.checkpoint)), strict=True)
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
