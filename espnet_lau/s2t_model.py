"""LAUS2TModel: ESPnet's S2T model (OWSM) with the LAU semantic regulariser.

``ESPnetS2TModel.forward`` computes its encoder output through ``self.encode()``, the
hook :class:`espnet_lau.lau_model.LAUModelMixin` records, so LAU carries over unchanged:
``L = L_S2T + λ · L_sem(head(pool(encoder_out)), sem_emb)``. The decoder's target carries
OWSM's prompt tokens (``<bam><st_fra><notimestamps> …``); ``sem_emb`` is the teacher's
embedding of the translation alone (the recipe embeds the plain French text). At inference
nothing changes, so an exported model (head stripped) is a plain ``ESPnetS2TModel``.
"""

from __future__ import annotations

from espnet2.s2t.espnet_model import ESPnetS2TModel

from espnet_lau.lau_model import LAUModelMixin


class LAUS2TModel(LAUModelMixin, ESPnetS2TModel):
    """ESPnet S2T model + LAU semantic head (training only).

    ``forward(speech, speech_lengths, text, text_lengths, text_prev, text_prev_lengths,
    text_ctc, text_ctc_lengths, sem_emb=None, utt_id=...)``, as keywords: the stock S2T
    loss (attention + CTC), plus ``λ · L_sem`` when ``sem_emb`` (B, E) is given.
    ``encode(speech, speech_lengths)`` is the stock one (``Speech2Text`` calls it).
    """
