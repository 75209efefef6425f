#!/usr/bin/env python3
"""Train an ST model with the LAU semantic regulariser (twin of espnet2.bin.st_train).

Every option of ``python -m espnet2.bin.st_train`` is accepted; LAU adds
``--semantic_weight``, ``--semantic_loss``, ``--semantic_loss_conf``, ``--semantic_head``,
``--semantic_head_conf``, ``--semantic_lambda_warmup_steps``, ``--semantic_target_norm``
and the data name ``sem_emb`` (an npy scp made by ``python -m espnet_lau.bin.embed_text``).
``--print_config`` shows the defaults of the chosen head and loss.
"""

from espnet_lau.cli import run_main
from espnet_lau.tasks.lau_st import LAUSTTask


def get_parser():
    parser = LAUSTTask.get_parser()
    return parser


def main(cmd=None):
    r"""LAU ST training.

    Example:

        % python -m espnet_lau.bin.lau_st_train --print_config --optim adadelta \
                > conf/train_st.yaml
        % python -m espnet_lau.bin.lau_st_train --config conf/train_st.yaml \
            --train_data_path_and_name_and_type \
                dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy ...
    """
    LAUSTTask.main(cmd=cmd)


if __name__ == "__main__":
    run_main(main)
