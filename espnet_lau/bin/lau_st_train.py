#!/usr/bin/env python3
"""Train an ST model with the LAU semantic regulariser (twin of espnet2.bin.st_train).

Every option of ``python -m espnet2.bin.st_train`` is accepted; LAU adds
``--semantic_weight``, ``--semantic_loss``, ``--semantic_loss_conf``, ``--semantic_head``,
``--semantic_head_conf``, ``--semantic_lambda_warmup_steps``, ``--semantic_target_norm``
and the data name ``sem_emb`` (an npy scp made by ``python -m espnet_lau.bin.embed_text``).
``--semantic_target_ratio r`` sets λ so that r = ||grad_enc λ·L_sem|| / ||grad_enc L_ST||
at the start of training (measured on the first batches, saved for resumes in
``<output_dir>/semantic_balance.json``). ``--print_config`` shows the defaults of the chosen
head and loss. A LAU option that is not finite or out of range is one line, exit 1.
"""

from espnet_lau.cli import run_main, user_errors
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_weight import LAUOptionError


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
    with user_errors("lau_st_train", LAUOptionError):
        LAUSTTask.main(cmd=cmd)


if __name__ == "__main__":
    run_main(main)
