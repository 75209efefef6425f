"""LAUModelMixin: the LAU semantic regulariser, for any ESPnet model that calls ``encode()``.

Training loss: ``L = L_task + λ · L_sem(head(pool(encoder_out)), sem_emb)`` where
``sem_emb`` is the frozen teacher embedding of the target translation. The head reads the
final encoder output (the one the decoder attends to), so ``L_sem`` reaches the encoder,
frontend/normalisation and the head, never the decoder. At inference nothing changes:
``encode()`` keeps the stock contract and the head is never called, so an exported model
(head stripped) is the stock model.

The mixin goes before the ESPnet model in the bases and relies on two facts of ESPnet's
``ESPnetSTModel`` and ``ESPnetS2TModel``: ``forward`` takes its inputs as keywords (the
trainer calls ``model(**batch)``) and computes the encoder output through ``self.encode()``.
:class:`espnet_lau.espnet_model.LAUSTModel` and :class:`espnet_lau.s2t_model.LAUS2TModel`
are the two uses.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from espnet2.torch_utils.device_funcs import force_gatherable
from typeguard import typechecked

from espnet_lau.semantic.head import SemanticHead
from espnet_lau.semantic.loss import AbsSemanticLoss, MSESemanticLoss


#: the state-dict prefix of the semantic head (the training-only part export removes)
HEAD_PREFIX = "semantic_head."


class LAUModelMixin:
    """The semantic head, its loss and λ, added to an ESPnet model (training only).

    Args:
        *args, **kwargs: everything the ESPnet model takes.
        semantic_head: the head; None gives a model that behaves exactly as stock.
        semantic_weight: λ, the weight of the semantic loss.
        semantic_loss: the loss module, maps pred (B, E) and target (B, E) to a scalar;
            None: :class:`MSESemanticLoss`. The task builds it from ``--semantic_loss``
            and ``--semantic_loss_conf``.
        semantic_lambda_warmup_steps: λ grows linearly from λ/N to λ over the first N
            training batches (0: no warm-up). The batch counter lives in
            ``semantic_head.lambda_step`` so that a resumed training continues it.
    """

    @typechecked
    def __init__(
        self,
        *args,
        semantic_head: Optional[SemanticHead] = None,
        semantic_weight: float = 1.0,
        semantic_loss: Optional[AbsSemanticLoss] = None,
        semantic_lambda_warmup_steps: int = 0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._attach_semantic(
            semantic_head,
            semantic_weight,
            semantic_loss,
            semantic_lambda_warmup_steps,
        )

    @classmethod
    @typechecked
    def from_stock(
        cls,
        stock: torch.nn.Module,
        semantic_head: Optional[SemanticHead],
        semantic_weight: float = 1.0,
        semantic_loss: Optional[AbsSemanticLoss] = None,
        semantic_lambda_warmup_steps: int = 0,
    ):
        """Re-wrap a stock-built model: same submodules, same state-dict keys.

        This lets the LAU tasks reuse the stock ``build_model`` unchanged, so every stock
        option, ``--init``, and ``--init_param`` behave exactly as upstream.
        """
        stock_class = next(base for base in cls.__mro__ if base is not LAUModelMixin
                           and issubclass(base, torch.nn.Module) and not issubclass(base, LAUModelMixin))
        if not isinstance(stock, stock_class):
            raise TypeError(f"{cls.__name__}.from_stock needs a {stock_class.__name__}, got {type(stock).__name__}")
        model = cls.__new__(cls)
        for key, value in vars(stock).items():
            # Copy the registries (_modules, _parameters, _buffers, hooks) so that
            # attaching the head does not change the stock object.
            model.__dict__[key] = value.copy() if isinstance(value, dict) else value
        model._attach_semantic(
            semantic_head,
            semantic_weight,
            semantic_loss,
            semantic_lambda_warmup_steps,
        )
        return model

    def _attach_semantic(
        self,
        semantic_head: Optional[SemanticHead],
        semantic_weight: float,
        semantic_loss: Optional[AbsSemanticLoss],
        semantic_lambda_warmup_steps: int,
    ) -> None:
        if not math.isfinite(semantic_weight) or semantic_weight < 0:
            raise ValueError(f"semantic_weight must be a finite number >= 0, got {semantic_weight}")
        if semantic_lambda_warmup_steps < 0:
            raise ValueError(
                "semantic_lambda_warmup_steps must be >= 0, "
                f"got {semantic_lambda_warmup_steps}"
            )
        self.semantic_head = semantic_head
        self.semantic_weight = float(semantic_weight)
        self.semantic_lambda_warmup_steps = int(semantic_lambda_warmup_steps)
        self.semantic_loss = semantic_loss if semantic_loss is not None else MSESemanticLoss()
        if semantic_head is not None:
            semantic_head.register_buffer("lambda_step", torch.zeros((), dtype=torch.long))
        # Filled by encode() during a forward pass that needs the encoder output.
        self._encoder_capture: Optional[List[Tuple[torch.Tensor, torch.Tensor]]] = None

    def current_semantic_weight(self) -> float:
        """λ at the current training batch, after the optional linear warm-up."""
        if self.semantic_lambda_warmup_steps == 0 or self.semantic_head is None:
            return self.semantic_weight
        step = int(self.semantic_head.lambda_step) + 1
        return self.semantic_weight * min(1.0, step / self.semantic_lambda_warmup_steps)

    def encode(self, speech: torch.Tensor, speech_lengths: torch.Tensor, *args, **kwargs):
        """Stock ``encode`` (same arguments and return); also records the output in training.

        Args:
            speech: (B, L, ...) input.
            speech_lengths: (B,)
        Returns:
            what the stock ``encode`` returns: encoder_out (B, T, D) (S2T with
            intermediate CTC: a tuple of it and the intermediate outputs),
            encoder_out_lens (B,), and what else the stock model adds.
        """
        outputs = super().encode(speech, speech_lengths, *args, **kwargs)
        if self._encoder_capture is not None:
            encoder_out = outputs[0][0] if isinstance(outputs[0], tuple) else outputs[0]
            self._encoder_capture.append((encoder_out, outputs[1]))
        return outputs

    def forward(
        self, *, sem_emb: Optional[torch.Tensor] = None, **batch
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor], torch.Tensor]:
        """Stock loss, plus ``λ · L_sem`` when ``sem_emb`` is given.

        Args:
            sem_emb: (B, E) teacher embeddings of the targets (optional).
            batch: the stock model's inputs, as keywords (``speech`` (B, L, ...),
                ``speech_lengths`` (B,), ``text`` (B, U), ``text_lengths`` (B,), ...);
                ``utt_id`` (list of B ids) is used in error messages.
        Returns:
            loss (1,), stats (stock keys + ``loss_sem``, ``cos_sem``, ``semantic_weight``,
            ``sem_loss_ratio`` = λ·L_sem / L_task), batch weight.
        """
        if sem_emb is None or self.semantic_head is None:
            return super().forward(**batch)
        loss_task, stats, weight, loss_sem, cos_sem = self.translation_and_semantic_losses(
            sem_emb=sem_emb, **batch
        )
        semantic_weight = self.current_semantic_weight()
        if self.training:
            self.semantic_head.lambda_step += 1
        loss = loss_task + semantic_weight * loss_sem if semantic_weight > 0 else loss_task

        stats["loss"] = loss.detach()
        stats["loss_sem"] = loss_sem.detach()
        stats["cos_sem"] = cos_sem.detach()
        stats["semantic_weight"] = semantic_weight
        stats["sem_loss_ratio"] = (semantic_weight * loss_sem / loss_task).detach()
        return force_gatherable((loss, stats, weight), loss.device)

    def translation_and_semantic_losses(
        self, *, sem_emb: torch.Tensor, **batch
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor], torch.Tensor, torch.Tensor, torch.Tensor]:
        """The two losses of LAU, each with its graph, before they are weighted.

        ``semantic_balance`` differentiates them separately; :meth:`forward` adds them.

        Args:
            as :meth:`forward`; ``sem_emb`` (B, E) is required.
        Returns:
            L_task (scalar, the stock loss), the stock stats, the batch weight,
            L_sem (scalar), and the mean cosine of prediction and (prepared) target.
        """
        self._check_sem_emb(sem_emb, batch.get("utt_id"))
        self._encoder_capture = []
        try:
            loss_task, stats, weight = super().forward(**batch)
            encoder_out, encoder_out_lens = self._encoder_capture[-1]
        finally:
            self._encoder_capture = None

        pred = self.semantic_head(encoder_out, encoder_out_lens)  # (B, E)
        target = self.semantic_head.prepare_target(sem_emb.to(dtype=pred.dtype))
        loss_sem = self.semantic_loss(pred, target)
        cos_sem = F.cosine_similarity(pred, target, dim=-1).mean()
        return loss_task, stats, weight, loss_sem, cos_sem

    def _check_sem_emb(
        self, sem_emb: torch.Tensor, utt_ids: Optional[Sequence[str]]
    ) -> None:
        """Fail with the utterance ids on a wrong dimension or a non-finite value."""

        def name(index: int) -> str:
            return repr(utt_ids[index]) if utt_ids is not None else f"#{index} of the batch"

        expected = self.semantic_head.output_size
        if sem_emb.dim() != 2 or sem_emb.size(1) != expected:
            raise ValueError(
                f"sem_emb of utterance {name(0)} has shape {tuple(sem_emb.shape[1:])} "
                f"but the semantic head outputs {expected} dims: the embeddings and "
                "semantic_head_conf.output_size disagree (was sem_emb.scp made by "
                "another teacher?)"
            )
        finite = torch.isfinite(sem_emb).all(dim=1)
        if not bool(finite.all()):
            bad = [name(i) for i in torch.nonzero(~finite).flatten().tolist()]
            raise ValueError(f"sem_emb contains NaN or Inf for utterance(s) {', '.join(bad)}")
