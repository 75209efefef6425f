"""LAUSTModel: ESPnet's ST model with the LAU semantic regulariser.

Training loss: ``L = L_ST + λ · L_sem(head(pool(encoder_out)), sem_emb)``; the head, λ
and the loss are :class:`espnet_lau.lau_model.LAUModelMixin`'s. At inference nothing
changes, so an exported model (head stripped) is a plain ``ESPnetSTModel``.
"""

from __future__ import annotations

from espnet2.st.espnet_model import ESPnetSTModel

from espnet_lau.lau_model import LAUModelMixin


class LAUSTModel(LAUModelMixin, ESPnetSTModel):
    """ESPnet ST model + LAU semantic head (training only).

    ``forward(speech, speech_lengths, text, text_lengths, src_text=None,
    src_text_lengths=None, sem_emb=None, utt_id=...)``, as keywords: the stock ST loss,
    plus ``λ · L_sem`` when ``sem_emb`` (B, E) is given (:class:`LAUModelMixin`).
    ``encode(speech, speech_lengths, return_int_enc=False)`` is the stock one.
    """
