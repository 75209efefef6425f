"""The base class of errors caused by what a user gave, as opposed to bugs.

A file, a line, an option or a folder is wrong, and the message says which and what to
do. The entry points (:func:`espnet_lau.utils.cli.run_main`) print such an error as
``<prog>: error: <message>`` and exit 1, without a traceback unless ``--log_level DEBUG``;
any other exception is a bug and keeps its traceback.
"""


class UserError(Exception):
    """An error in the user's input; its message names the file, line or utterance and the fix."""
