"""ASRPretrainTask: ESPnet's ASR task with channels-last convolutions.

The recipe pretrains the ST encoder as an ASR model on the source transcripts. This is
``ASRTask`` unchanged (options, data, model, checkpoints, stock ``asr_inference``)
plus ``--conv_channels_last`` (:mod:`espnet_lau.tasks.channels_last`).
"""

from espnet2.tasks.asr import ASRTask

from espnet_lau.tasks.channels_last import ChannelsLastConvs


class ASRPretrainTask(ChannelsLastConvs, ASRTask):
    """``ASRTask`` whose Conv2d weights are stored channels-last (``--conv_channels_last``)."""
