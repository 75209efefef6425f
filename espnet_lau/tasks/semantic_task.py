"""What every LAU task shares, whatever ESPnet task it extends (ST, S2T).

:class:`SemanticTaskMixin` goes before the ESPnet task in the bases
(``class LAUSTTask(SemanticTaskMixin, ChannelsLastConvs, STTask)``) and adds, keeping
everything of the task (options, data, model building):

* top-level options ``--semantic_weight``, ``--semantic_target_ratio``,
  ``--semantic_lambda_warmup_steps``, ``--semantic_target_norm`` (outside ``model_conf``,
  which stays stock so that stock ESPnet can load the exported config);
* the LAU parts as ESPnet registers its own (``class_choices_list``, see
  :mod:`espnet_lau.tasks.choices`): ``--semantic_head`` (``mlp``) with
  ``--semantic_head_conf``, ``--semantic_loss`` (``mse|cosine|infonce``) with
  ``--semantic_loss_conf``; ``--print_config`` shows the defaults of the chosen ones;
* the optional data name ``sem_emb``: an ``npy`` scp with one (E,) vector per utterance,
  e.g. ``--train_data_path_and_name_and_type dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy``,
  every vector checked before the first step;
* λ checked and resolved before training (:mod:`espnet_lau.tasks.semantic_weight`);
* the model: the stock one, re-wrapped as the task's ``lau_model_class`` with the head.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import List, Optional, Set, Tuple

from espnet2.train.collate_fn import CommonCollateFn
from espnet2.utils.types import float_or_none
from typeguard import typechecked

from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.loss import (
    AbsSemanticLoss,
    CosineSemanticLoss,
    InfoNCESemanticLoss,
    MSESemanticLoss,
)
from espnet_lau.semantic.pooling import POOLINGS
from espnet_lau.semantic.target_norm import TARGET_NORMS, read_target_stats
from espnet_lau.tasks.choices import LAUClassChoices
from espnet_lau.tasks.sem_emb import DATA_OPTIONS, SEM_EMB, check_sem_emb_vectors, read_sem_emb_dim, sem_emb_scps
from espnet_lau.tasks.init_check import check_requested_init, request_init_check
from espnet_lau.tasks.semantic_weight import resolve_semantic_weight

# --semantic_head and --semantic_head_conf
semantic_head_choices = LAUClassChoices(
    "semantic_head",
    classes=dict(mlp=SemanticHead),
    type_check=SemanticHead,
    default="mlp",
    supplied=("input_size", "target_norm", "target_stats"),
    help="The semantic head: mlp (pooling, then Linear-Tanh-Linear as in the paper)",
    conf_help="Options of the semantic head: pooling "
    f"({'|'.join(POOLINGS)}), hidden_size (default: encoder size), "
    "output_size (default: the sem_emb dimension), dropout; --print_config shows the defaults",
)
# --semantic_loss and --semantic_loss_conf
semantic_loss_choices = LAUClassChoices(
    "semantic_loss",
    classes=dict(mse=MSESemanticLoss, cosine=CosineSemanticLoss, infonce=InfoNCESemanticLoss),
    type_check=AbsSemanticLoss,
    default="mse",
    help="mse (the paper's best), cosine (1 - cos), or infonce (in-batch "
    "contrastive, beyond the paper)",
    conf_help="Options of the semantic loss, e.g. {temperature: 0.07} for infonce; "
    "--print_config shows the defaults",
)
LAU_CLASS_CHOICES = (semantic_head_choices, semantic_loss_choices)

# Top-level config keys that LAUSTTask adds; export_stock removes exactly these.
LAU_CONFIG_KEYS = (
    "semantic_weight",
    "semantic_target_ratio",
    *(key for choices in LAU_CLASS_CHOICES for key in (choices.name, f"{choices.name}_conf")),
    "semantic_lambda_warmup_steps",
    "semantic_target_norm",
    "conv_channels_last",
)

def final_encoder_output_size(model) -> int:
    """D of the encoder output that the decoder reads (and the semantic head pools)."""
    for name in ("postencoder", "hier_encoder", "encoder"):
        module = getattr(model, name, None)
        if module is not None:
            return module.output_size()
    raise ValueError("the model has no encoder")


class SemanticTaskMixin:
    """Task mixin: LAU's options, the ``sem_emb`` data and the model; see the module docstring.

    A task using it sets ``lau_model_class`` (a :class:`espnet_lau.lau_model.LAUModelMixin`
    subclass of its stock model) and adds ``LAU_CLASS_CHOICES`` to its ``class_choices_list``.
    """

    #: the model class the task builds: the stock model plus :class:`LAUModelMixin`
    lau_model_class = None

    @classmethod
    def add_task_arguments(cls, parser: argparse.ArgumentParser):
        super().add_task_arguments(parser)
        group = parser.add_argument_group(description="LAU semantic regulariser")
        group.add_argument(
            "--semantic_weight",
            type=float_or_none,
            default=None,
            help="λ, the weight of the semantic loss (finite, >= 0). 0 or unset trains the "
            "stock ST baseline (no semantic head is built).",
        )
        group.add_argument(
            "--semantic_target_ratio",
            type=float_or_none,
            default=None,
            help="Instead of λ: the balance r = ||grad_enc λ·L_sem|| / ||grad_enc L_ST|| wanted "
            "at the start of training (finite, > 0). λ is measured on the first training "
            "batches, logged, and saved in <output_dir>/semantic_balance.json for resumes. "
            "Not together with --semantic_weight.",
        )
        group.add_argument(
            "--semantic_lambda_warmup_steps",
            type=int,
            default=0,
            help="Grow λ linearly over this many training batches (0: constant λ)",
        )
        group.add_argument(
            "--semantic_target_norm",
            type=str,
            default="none",
            choices=TARGET_NORMS,
            help="none: raw teacher vectors as targets (the paper). standardize: targets "
            "centred by the training-set mean vector and divided by the per-element RMS "
            "deviation (target_stats in the train sem_emb meta.json, from embed_text), "
            "so that the best constant prediction has MSE 1.0 for any teacher",
        )
        return parser

    @classmethod
    def main(cls, args: Optional[argparse.Namespace] = None, cmd=None, trust_pickle: bool = False):
        """ESPnet's ``main``, after the LAU options are checked and λ is resolved
        (:func:`espnet_lau.tasks.semantic_weight.resolve_semantic_weight`); every
        ``--init_param`` is checked against the built model (:mod:`espnet_lau.tasks.init_check`)."""
        if args is None:
            args = cls.get_parser().parse_args(cmd)
        request_init_check(args, trust_pickle)
        # ESPnet configures logging only in main_worker, with the rank of a DDP worker in
        # each line; λ's measurement comes before, so it is logged through a handler of its
        # own, removed again so that main_worker's configuration applies as it would.
        root = logging.getLogger()
        handler = None
        if not root.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter(
                f"[{os.uname()[1].split('.')[0]}] %(asctime)s (%(module)s:%(lineno)d) %(levelname)s: %(message)s"))
            root.addHandler(handler)
            level, root.level = root.level, logging.getLevelName(args.log_level)
        try:
            resolve_semantic_weight(cls, args)
        finally:
            if handler is not None:
                root.removeHandler(handler)
                root.setLevel(level)
        return super().main(args=args)

    @classmethod
    def get_default_config(cls) -> dict:
        """ESPnet's ``--print_config`` without what the task passes to the LAU parts itself.

        ``semantic_head_conf`` lists ``hidden_size``, ``pooling`` and ``dropout`` but not
        ``output_size``, which has no default (it comes from the ``sem_emb`` data).
        """
        config = super().get_default_config()
        for choices in LAU_CLASS_CHOICES:
            key = f"{choices.name}_conf"
            config[key] = {k: v for k, v in config[key].items() if k not in choices.supplied}
        return config

    @classmethod
    def optional_data_names(
        cls, train: bool = True, inference: bool = False
    ) -> Tuple[str, ...]:
        return super().optional_data_names(train, inference) + (
            () if inference else (SEM_EMB,)
        )

    @classmethod
    @typechecked
    def build_collate_fn(cls, args: argparse.Namespace, train: bool):
        # Same padding as STTask; sem_emb is one vector per utterance, not a sequence.
        return CommonCollateFn(float_pad_value=0.0, int_pad_value=-1, not_sequence=[SEM_EMB])

    @classmethod
    def build_dataset(cls, args, iter_options, keys_to_load: Optional[Set] = None):
        """Stock dataset; every utterance to load must have a valid ``sem_emb`` vector.

        Every vector is checked here, before the first step (:func:`check_sem_emb_vectors`).
        """
        dataset = super().build_dataset(args, iter_options, keys_to_load)
        if dataset.has_name(SEM_EMB):
            scp = next(
                path for path, name, _ in iter_options.data_path_and_name_and_type if name == SEM_EMB
            )
            loader = dataset.loader_dict[SEM_EMB]
            # Not ``key in loader``: espnet2's NpyScpReader.__contains__ returns the key
            # itself, so it is true for every key (espnet 202511).
            known = set(iter(loader))
            wanted = known if keys_to_load is None else set(keys_to_load)
            missing = sorted(key for key in wanted if key not in known)
            if missing:
                raise RuntimeError(
                    f"{scp} has no sem_emb for {len(missing)} utterance(s) of the "
                    f"training list, e.g. {', '.join(missing[:5])}: re-run embed_text "
                    "on the same text file as the training data"
                )
            check_sem_emb_vectors(scp, loader, wanted)
        return dataset

    @classmethod
    def build_model(cls, args: argparse.Namespace):
        """The stock model of the task, re-wrapped with the semantic head (none for λ = 0)."""
        # Both confs are checked before the (slower) stock model is built.
        semantic_head_choices.check_conf(getattr(args, "semantic_head", None), args.semantic_head_conf)
        semantic_loss = semantic_loss_choices.build(args.semantic_loss, args.semantic_loss_conf)
        stock = super().build_model(args)
        head = cls.build_semantic_head(args, final_encoder_output_size(stock))
        model = cls.lau_model_class.from_stock(
            stock,
            semantic_head=head,
            semantic_weight=args.semantic_weight or 0.0,
            semantic_loss=semantic_loss,
            semantic_lambda_warmup_steps=args.semantic_lambda_warmup_steps,
        )
        check_requested_init(args, model)  # before ESPnet loads --init_param
        return model

    @classmethod
    def build_semantic_head(
        cls, args: argparse.Namespace, encoder_output_size: int
    ) -> Optional[SemanticHead]:
        """The head of ``--semantic_head`` (``mlp`` for a config.yaml written before the
        option existed), or None for a baseline (λ = 0).

        ``output_size`` comes from ``semantic_head_conf`` or from the ``sem_emb`` data;
        when both are known they must agree. The resolved value is written back to
        ``args`` so that ``config.yaml`` can rebuild the model without the data.
        """
        if not args.semantic_weight:
            return None
        conf = dict(args.semantic_head_conf)
        data_dims = {
            scp: read_sem_emb_dim(scp) for scp in sem_emb_scps(args) if Path(scp).exists()
        }
        for scp, dim in data_dims.items():
            conf.setdefault("output_size", dim)
            if dim != conf["output_size"]:
                raise ValueError(
                    f"{scp} holds {dim}-dim embeddings but the semantic head outputs "
                    f"{conf['output_size']} (semantic_head_conf.output_size or another "
                    "sem_emb scp): use embeddings of one teacher, or fix output_size"
                )
        if "output_size" not in conf:
            if args.collect_stats:
                return None
            raise ValueError(
                f"semantic_weight={args.semantic_weight} needs teacher embeddings: pass "
                "--train_data_path_and_name_and_type <dir>/sem_emb.scp,sem_emb,npy "
                "(made by python -m espnet_lau.bin.embed_text) or set "
                "semantic_head_conf.output_size"
            )
        args.semantic_head_conf = conf
        target_norm = getattr(args, "semantic_target_norm", "none")
        target_stats = None
        train_scp = next(iter(sem_emb_scps(args, DATA_OPTIONS[:1])), None)
        if target_norm == "standardize" and train_scp is not None and Path(train_scp).exists():
            # The training set's statistics, also for validation. Without training data
            # (a model rebuilt from config.yaml) the checkpoint's buffers are loaded.
            target_stats = read_target_stats(Path(train_scp).parent / "meta.json")
            logging.info(
                f"semantic_target_norm standardize: mean and scale {target_stats.scale:.4g} "
                f"of {target_stats.num_vectors} training vectors ({train_scp})"
            )
        return semantic_head_choices.build(
            getattr(args, "semantic_head", None),
            conf,
            input_size=encoder_output_size,
            target_norm=target_norm,
            target_stats=target_stats,
        )
