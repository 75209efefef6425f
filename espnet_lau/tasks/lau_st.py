"""LAUSTTask: ESPnet's ST task with the LAU semantic regulariser.

Everything of ``STTask`` is kept; :class:`espnet_lau.tasks.semantic_task.SemanticTaskMixin`
adds LAU's options, the optional data name ``sem_emb`` and the model
(:class:`espnet_lau.espnet_model.LAUSTModel`). This task adds, for ST:

* ST without source transcripts (upstream ``ESPnetSTModel`` needs a source token list);
* ``--conv_channels_last`` (:mod:`espnet_lau.tasks.channels_last`): faster CPU training.
"""

from __future__ import annotations

import argparse
import logging
from typing import Union

from espnet2.tasks.st import STTask
from typeguard import typechecked

from espnet_lau.espnet_model import LAUSTModel
from espnet_lau.pretrained.ssl_frontend import register_ssl_frontend
from espnet_lau.tasks.channels_last import ChannelsLastConvs
from espnet_lau.tasks.semantic_task import LAU_CLASS_CHOICES, SemanticTaskMixin

register_ssl_frontend()  # frontend: hf_ssl (a wav2vec2/HuBERT/WavLM folder) for LAU and baseline ST

# ESPnetSTModel copies src_token_list unconditionally, and stock Speech2Text rejects
# src_token_type "none": ST without source transcripts gets this placeholder list.
PLACEHOLDER_SRC_TOKENS = ["<blank>", "<unk>", "<sos/eos>"]


def use_placeholder_source_tokens(args: argparse.Namespace) -> None:
    """Without ``--src_token_list`` (ST without source transcripts), the placeholder list."""
    if getattr(args, "src_token_list", None) is None:
        logging.info("No --src_token_list: ST without source transcripts; using the "
                     f"placeholder source vocabulary {PLACEHOLDER_SRC_TOKENS} (char)")
        args.src_token_list = list(PLACEHOLDER_SRC_TOKENS)
        args.src_token_type = "char"


class LAUSTTask(SemanticTaskMixin, ChannelsLastConvs, STTask):
    """ST task whose model is ``LAUSTModel``; see the module docstring."""

    # STTask.add_task_arguments adds --<name> and --<name>_conf of each.
    class_choices_list = [*STTask.class_choices_list, *LAU_CLASS_CHOICES]
    lau_model_class = LAUSTModel

    @classmethod
    def build_preprocess_fn(cls, args: argparse.Namespace, train: bool):
        # ESPnet builds the preprocessor alone (no model) in a statistics run, e.g. one
        # whose model_conf.extract_feats_in_collect_stats is false (an SSL frontend's).
        use_placeholder_source_tokens(args)
        return super().build_preprocess_fn(args, train)

    @classmethod
    @typechecked
    def build_model(cls, args: argparse.Namespace) -> Union[LAUSTModel]:
        use_placeholder_source_tokens(args)
        return super().build_model(args)
