"""λ at the start of LAU training: checked, measured and saved for resumes.

``lau_st_train`` resolves the semantic weight here, after its options are parsed and
before ESPnet builds anything, so that no shell code ever reads λ from a config:

* the LAU options must be finite and in range (:func:`check_lau_options`);
* ``semantic_target_ratio`` r* sets λ = r* / (‖∇enc L_sem‖ / ‖∇enc L_ST‖), measured on
  the first training batches of the model as training starts it
  (:mod:`espnet_lau.semantic.balance`); a config gives λ or r*, never both;
* for any LAU run, the balance r at the λ it trains with is measured once and saved in
  ``<output_dir>/semantic_balance.json``. A resumed training reads the λ back from that
  file instead of measuring again, so it trains on with the same λ;
* the source transcripts (``src_text``) are only loaded when the model uses them
  (``model_conf.asr_weight`` or ``mt_weight`` > 0): ESPnet's multi-task ST baseline.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from pathlib import Path
from typing import Iterator, Optional

from espnet_lau.semantic.balance import BalanceMeasurement, measure_balance
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import write_json_atomic
from espnet_lau.utils.numbers import bounded_int, non_negative_float, positive_float

BALANCE_FILE = "semantic_balance.json"
SRC_TEXT = "src_text"
DATA_OPTIONS = ("train_data_path_and_name_and_type", "valid_data_path_and_name_and_type")


class LAUOptionError(UserError, ValueError):
    """A LAU option that is not finite, out of range, or contradicts another."""


def check_lau_options(args: argparse.Namespace) -> None:
    """Refuse LAU options that would train something other than what they name.

    * ``semantic_weight`` (λ): finite, >= 0 (NaN would silently train the baseline,
      infinity would skip every update) (:mod:`espnet_lau.utils.numbers`, which also takes a
      YAML ``.nan`` that never passed through argparse's ``type=``);
    * ``semantic_target_ratio`` (r*): finite, > 0 (a ratio of 0 would train the baseline
      under a LAU name); not together with ``semantic_weight`` (the log would name one λ
      and the model train with the other);
    * ``semantic_lambda_warmup_steps``: >= 0;
    * λ = 0 with ``semantic_target_norm`` set: a LAU setting that trains the baseline.

    Sets ``args.semantic_weight`` to 0.0 when neither λ nor r* is given (the baseline).
    """
    weight, ratio = (getattr(args, name, None) for name in ("semantic_weight", "semantic_target_ratio"))
    weight = None if weight is None else non_negative_float.check("--semantic_weight", weight)
    ratio = None if ratio is None else positive_float.check("--semantic_target_ratio", ratio)
    if weight is not None and ratio is not None:
        raise LAUOptionError(
            f"semantic_weight ({weight:g}) and semantic_target_ratio ({ratio:g}) are both set: "
            "give one (semantic_target_ratio measures λ at the start of training); remove "
            "--semantic_weight from --st_args or the config, or drop --semantic_target_ratio"
        )
    bounded_int(min=0).check("--semantic_lambda_warmup_steps", getattr(args, "semantic_lambda_warmup_steps", 0))
    if weight == 0 and ratio is None and getattr(args, "semantic_target_norm", "none") != "none":
        raise LAUOptionError(
            f"semantic_weight is 0 with semantic_target_norm {args.semantic_target_norm}: that "
            "trains the plain baseline under a LAU setting; set semantic_weight > 0 or "
            "semantic_target_ratio, or remove semantic_target_norm for a baseline"
        )
    args.semantic_weight = weight if weight is not None else (None if ratio is not None else 0.0)
    args.semantic_target_ratio = ratio


def uses_source_text(args: argparse.Namespace) -> bool:
    """Whether the ST model trains on the source transcripts (CTC/attention ASR or MT
    sub-tasks of ``ESPnetSTModel``)."""
    conf = getattr(args, "model_conf", None) or {}
    return float(conf.get("asr_weight", 0.0)) > 0 or float(conf.get("mt_weight", 0.0)) > 0


def drop_unused_source_text(args: argparse.Namespace) -> None:
    """Leave the source transcripts out of the data when the model does not use them.

    The recipe always passes them (as st.sh does); a config with ``asr_weight: 0`` and
    ``mt_weight: 0`` then trains exactly the ST-only model (placeholder source
    vocabulary), and one with ``asr_weight > 0`` gets ESPnet's multi-task loss.
    """
    if uses_source_text(args):
        given = any(name == SRC_TEXT for option in DATA_OPTIONS[:1]
                    for _, name, _ in getattr(args, option, None) or [])
        if not given and not getattr(args, "collect_stats", False):
            raise LAUOptionError(
                "model_conf.asr_weight/mt_weight > 0 needs the source transcripts: pass "
                "--train_data_path_and_name_and_type <dir>/text.<case>.<lang>,src_text,text "
                "(and the valid one), with --src_token_list and --src_bpemodel"
            )
        return
    dropped = False
    for option in DATA_OPTIONS:
        entries = getattr(args, option, None) or []
        kept = [entry for entry in entries if entry[1] != SRC_TEXT]
        dropped |= len(kept) != len(entries)
        setattr(args, option, kept)
    if dropped:
        logging.info("asr_weight and mt_weight are 0: the source transcripts are not used (not loaded)")
        for name in ("src_token_list", "src_bpemodel"):
            setattr(args, name, None)
        args.src_token_type = "char" if hasattr(args, "src_token_type") else None


def training_batches(task, args: argparse.Namespace, num_batches: int) -> Iterator[dict]:
    """The first ``num_batches`` batches of training epoch 1, as training draws them."""
    from espnet2.train.distributed_utils import DistributedOption

    from espnet_lau.tasks.sem_emb import SEM_EMB

    factory = task.build_iter_factory(
        args=args, distributed_option=DistributedOption(distributed=False), mode="train"
    )
    for count, (utt_ids, batch) in enumerate(factory.build_iter(1, shuffle=True)):
        if count >= num_batches:
            return
        if SEM_EMB not in batch:
            raise ValueError("the training batches hold no sem_emb")
        yield {**batch, "utt_id": list(utt_ids)}


def starting_model(task, args: argparse.Namespace):
    """The model as ``lau_st_train`` starts it (built, then ``--init_param`` loaded)."""
    from espnet2.torch_utils.load_pretrained_model import load_pretrained_model
    from espnet2.torch_utils.set_all_random_seed import set_all_random_seed

    set_all_random_seed(args.seed)
    model = task.build_model(args)
    for init in args.init_param:
        load_pretrained_model(init, model, args.ignore_init_mismatch, map_location="cpu")
    return model


def measure_at_start(task, args: argparse.Namespace, num_batches: int,
                     checkpoint: Optional[str] = None, trust_pickle: bool = False) -> BalanceMeasurement:
    """r on ``num_batches`` training batches of the starting model, at ``args.semantic_weight``
    (at λ = 1 with a fresh head when it is None or 0); with ``checkpoint``, of the model
    holding those weights (weights-only unless ``trust_pickle``). The ``--init_param``
    files must have been checked (:func:`espnet_lau.utils.checkpoint.check_init_params`)."""
    import copy

    from espnet2.torch_utils.set_all_random_seed import set_all_random_seed

    from espnet_lau.tasks.freeze import freeze_parameters
    from espnet_lau.tasks.sem_emb import DATA_OPTIONS as LAU_DATA_OPTIONS
    from espnet_lau.tasks.sem_emb import sem_emb_scps

    if not sem_emb_scps(args, LAU_DATA_OPTIONS[:1]):
        raise LAUOptionError(
            "no sem_emb in the training data: pass --train_data_path_and_name_and_type "
            "<dir>/sem_emb.scp,sem_emb,npy (made by python -m espnet_lau.bin.embed_text)"
        )
    measured = copy.copy(args)
    if not measured.semantic_weight:
        measured.semantic_weight = 1.0
    model = starting_model(task, measured)
    if checkpoint:
        from espnet_lau.utils.checkpoint import load_state_dict

        model.load_state_dict(load_state_dict(checkpoint, trust_pickle), strict=True)
    freeze_parameters(model, measured.freeze_param)  # as training will: no gradients into a frozen SSL upstream
    model.train()  # the gradients training sees: dropout and SpecAugment on
    set_all_random_seed(measured.seed)
    return measure_balance(model, training_batches(task, measured, num_batches), measured.semantic_weight)


def _saved_balance(path: Path, args: argparse.Namespace) -> Optional[dict]:
    """The balance a previous start of this training saved, if it matches its options."""
    if not path.is_file():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LAUOptionError(
            f"{path}: unreadable ({exc}): delete it to measure λ again at the start of training"
        ) from None
    wanted = {"target_ratio_option": args.semantic_target_ratio, "init_param": list(args.init_param)}
    if args.semantic_target_ratio is None:
        wanted["semantic_weight"] = args.semantic_weight
    if any(saved.get(key) != value for key, value in wanted.items()):
        return None
    return saved


def resolve_semantic_weight(task, args: argparse.Namespace, num_batches: int = 4) -> None:
    """Check the LAU options; set λ from ``semantic_target_ratio``; save the balance.

    Called by ``LAUSTTask.main`` before training. With neither a LAU λ nor a ratio
    (the baseline) or with ``--collect_stats true``, nothing is measured.
    """
    check_lau_options(args)
    drop_unused_source_text(args)
    if getattr(args, "collect_stats", False) or getattr(args, "print_config", False):
        if args.semantic_weight is None:
            args.semantic_weight = 0.0
        return
    if not args.semantic_weight and args.semantic_target_ratio is None:
        return
    out = Path(args.output_dir) / BALANCE_FILE if getattr(args, "output_dir", None) else None
    saved = _saved_balance(out, args) if out is not None else None
    if saved is not None:
        weight = saved["semantic_weight_trained"]
        logging.info(f"semantic balance (as measured at the first start, {out}): λ = {weight:.4g}")
    else:
        result = measure_at_start(task, args, num_batches)
        ratio = args.semantic_target_ratio
        weight = result.lambda_for(ratio) if ratio is not None else args.semantic_weight
        if not (math.isfinite(weight) and weight > 0):
            raise LAUOptionError(
                f"semantic_target_ratio {ratio:g} gives λ = {weight!r} (‖∇L_sem‖ = 0 on the first "
                "batches?): check the sem_emb vectors, or give semantic_weight"
            )
        report = result.as_dict(ratio if ratio is not None else 1.0)
        report.update(semantic_weight_trained=weight, target_ratio_option=ratio,
                      ratio_trained=weight * result.ratio_per_unit_lambda,
                      semantic_loss=args.semantic_loss, semantic_target_norm=args.semantic_target_norm,
                      config=args.config, init_param=list(args.init_param))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(out, report, sort_keys=False)
        logging.info(
            f"semantic balance ({args.semantic_loss}, target norm {args.semantic_target_norm}, "
            f"at the start, {len(result.batches)} batches): r = "
            f"{weight * result.ratio_per_unit_lambda:.4g} at λ = {weight:.4g}"
            + (f" (λ set by semantic_target_ratio {ratio:g})" if ratio is not None else "")
        )
    args.semantic_weight = float(weight)
