#!/usr/bin/env python3
"""Fine-tune an S2T model (OWSM) with the LAU semantic regulariser (twin of
espnet2.bin.s2t_train).

Every option of ``python -m espnet2.bin.s2t_train`` is accepted; LAU adds the options of
``lau_st_train`` (``--semantic_weight`` or ``--semantic_target_ratio``, ``--semantic_loss``,
``--semantic_head``, their ``_conf``, ``--semantic_lambda_warmup_steps``,
``--semantic_target_norm``) and the optional data name ``sem_emb``: the teacher's
embeddings of the French translation without OWSM's prompt tokens (an npy scp made by
``python -m espnet_lau.bin.embed_text`` on the plain target text). λ = 0 (or unset)
trains the stock ``ESPnetS2TModel``. A LAU option that is not finite or out of range is
one line, exit 1.

Every ``--init_param`` file (the OWSM checkpoint) must load with
``torch.load(weights_only=True)`` before ESPnet unpickles it (``--trust_pickle true`` for
one you trust that holds other pickled objects); ``--trust_pickle`` is not written to
``config.yaml``.
"""

from espnet_lau.bin.lau_st_train import task_parser, train
from espnet_lau.tasks.lau_s2t import LAUS2TTask
from espnet_lau.utils.cli import run_main


def get_parser():
    return task_parser(LAUS2TTask)


def main(cmd=None):
    r"""LAU S2T fine-tuning.

    Example:

        % python -m espnet_lau.bin.lau_s2t_train --config conf/tuning/train_s2t_owsm_lau.yaml \
            --init_param owsm/model.pth --token_list owsm/tokens.txt --bpemodel owsm/bpe.model \
            --train_data_path_and_name_and_type dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy ...
    """
    train(LAUS2TTask, "lau_s2t_train", cmd)


if __name__ == "__main__":
    run_main(main)
