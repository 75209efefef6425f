"""LAUS2TTask: ESPnet's S2T task (OWSM) with the LAU semantic regulariser.

Everything of ``S2TTask`` is kept (options, the ``S2TPreprocessor``, which passes
``sem_emb`` through untouched, the data names ``text``, ``text_prev``, ``text_ctc``);
:class:`espnet_lau.tasks.semantic_task.SemanticTaskMixin` adds LAU's options, the
optional data name ``sem_emb`` and the model (:class:`espnet_lau.s2t_model.LAUS2TModel`),
as for ST. ``--conv_channels_last`` (:mod:`espnet_lau.tasks.channels_last`) speeds up
the conv2d subsampling of OWSM's encoder on CPUs.
"""

from __future__ import annotations

import argparse
from typing import Union

from espnet2.tasks.s2t import S2TTask
from typeguard import typechecked

from espnet_lau.s2t_model import LAUS2TModel
from espnet_lau.tasks.channels_last import ChannelsLastConvs
from espnet_lau.tasks.semantic_task import LAU_CLASS_CHOICES, SemanticTaskMixin


class LAUS2TTask(SemanticTaskMixin, ChannelsLastConvs, S2TTask):
    """S2T task whose model is ``LAUS2TModel``; see the module docstring."""

    # S2TTask.add_task_arguments adds --<name> and --<name>_conf of each.
    class_choices_list = [*S2TTask.class_choices_list, *LAU_CLASS_CHOICES]
    lau_model_class = LAUS2TModel

    @classmethod
    @typechecked
    def build_model(cls, args: argparse.Namespace) -> Union[LAUS2TModel]:
        return super().build_model(args)
