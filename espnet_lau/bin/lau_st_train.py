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

Every ``--init_param`` file must load with ``torch.load(weights_only=True)`` before
ESPnet unpickles it (``--trust_pickle true`` for one you made that holds other pickled
objects), and is matched against the model before training: ``loaded N of M encoder
tensors from FILE`` is logged; nothing loading, a tensor missing on either side or a shape
mismatch stops the run in one line (``--ignore_init_mismatch true``: goes on and lists
what was skipped; :mod:`espnet_lau.tasks.init_check`). ``--trust_pickle`` is this tool's,
not ESPnet's: it is not written to ``config.yaml``, which stock ESPnet loads.
"""

from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_weight import LAUOptionError
from espnet_lau.utils.checkpoint import add_trust_pickle_option, check_init_params
from espnet_lau.utils.cli import run_main, user_errors


def task_parser(task):
    """The parser of a LAU task's training tool: the task's options plus ``--trust_pickle``."""
    parser = task.get_parser()
    add_trust_pickle_option(parser)
    return parser


def train(task, tool: str, cmd=None):
    """Parse ``cmd`` with :func:`task_parser`, check every ``--init_param`` file (weights
    only unless ``--trust_pickle true``), then run the task's ``main``; a user error is
    one line naming ``tool``."""
    args = task_parser(task).parse_args(cmd)
    with user_errors(tool, LAUOptionError):
        trust_pickle = vars(args).pop("trust_pickle")
        check_init_params(args.init_param, trust_pickle)
        task.main(args=args, trust_pickle=trust_pickle)


def get_parser():
    return task_parser(LAUSTTask)


def main(cmd=None):
    r"""LAU ST training.

    Example:

        % python -m espnet_lau.bin.lau_st_train --print_config --optim adadelta \
                > conf/train_st.yaml
        % python -m espnet_lau.bin.lau_st_train --config conf/train_st.yaml \
            --train_data_path_and_name_and_type \
                dump/raw/train/sem_emb/sem_emb.scp,sem_emb,npy ...
    """
    train(LAUSTTask, "lau_st_train", cmd)


if __name__ == "__main__":
    run_main(main)
