"""ESPnet's ``ClassChoices`` for LAU's pluggable parts, with a check of their ``*_conf``.

A part is registered as ESPnet registers an encoder: ``--<name>`` picks a class,
``--<name>_conf`` holds its keyword arguments, and ``--print_config`` fills ``<name>_conf``
with the chosen class's defaults. :class:`LAUClassChoices` adds what ESPnet leaves out:

* ``supplied``: keyword arguments the task passes itself (the head's input size, the
  target normalisation), not accepted in ``<name>_conf`` (and not printed by the task's
  ``--print_config``);
* :meth:`LAUClassChoices.build` refuses an unknown ``<name>_conf`` key in one line that
  names the option, the closest key and the accepted ones (:func:`check_conf_keys`), where
  ESPnet would raise a bare ``TypeError`` from the constructor;
* help texts of its own for ``--<name>`` and ``--<name>_conf``.
"""

from __future__ import annotations

import difflib
import inspect
from typing import List, Mapping, Optional, Sequence, Type

from espnet2.train.class_choices import ClassChoices

from espnet_lau.utils.errors import UserError


class ConfKeyError(UserError, ValueError):
    """A ``*_conf`` mapping of the config has a key its part does not take."""


def check_conf_keys(conf, option: str, accepted) -> None:
    """Refuse a key of ``conf`` (the value of ``option``) that is not in ``accepted``,
    naming the option, the key, the closest accepted one and all of them.

    Raises:
        ConfKeyError: e.g. ``semantic_head_conf: unknown key 'droput' (did you mean
            'dropout'?); it takes: output_size, hidden_size, pooling, dropout``.
    """
    accepted = list(accepted)
    for key in conf or {}:
        if key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfKeyError(f"{option}: unknown key {key!r}{hint}; it takes: {', '.join(accepted) or 'no keys'}")


class LAUClassChoices(ClassChoices):
    """``ClassChoices`` whose classes also get keyword arguments from the task.

    Args:
        name, classes, type_check, default: as ``ClassChoices``.
        supplied: keyword arguments the task passes to the class itself.
        help: help of ``--<name>``.
        conf_help: help of ``--<name>_conf``.
    """

    def __init__(
        self,
        name: str,
        classes: Mapping[str, Type],
        type_check: Optional[Type] = None,
        default: Optional[str] = None,
        supplied: Sequence[str] = (),
        help: str = "",
        conf_help: str = "",
    ):
        super().__init__(name, classes, type_check=type_check, default=default)
        self.supplied = tuple(supplied)
        self.help = {f"--{name}": help, f"--{name}_conf": conf_help}

    def add_arguments(self, parser):
        """ESPnet's ``--<name>`` and ``--<name>_conf``, with this part's help texts."""
        super().add_arguments(parser)
        for option, text in self.help.items():
            if text:
                parser._option_string_actions[option].help = text

    def conf_keys(self, choice: str) -> List[str]:
        """The keys ``<name>_conf`` takes for ``choice``, in the constructor's order."""
        parameters = inspect.signature(self.get_class(choice)).parameters.values()
        return [
            p.name for p in parameters
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in self.supplied
        ]

    def build(self, choice: Optional[str], conf: Optional[Mapping] = None, **supplied):
        """The instance of ``choice`` with ``conf`` and the ``supplied`` arguments.

        ``choice`` None (a config written before the option existed) is the default.

        Raises:
            ConfKeyError: ``conf`` has a key the class does not take.
        """
        choice = choice or self.default
        self.check_conf(choice, conf)
        return self.get_class(choice)(**supplied, **(conf or {}))

    def check_conf(self, choice: Optional[str], conf: Optional[Mapping]) -> None:
        """Raise :class:`ConfKeyError` for a key of ``conf`` that ``choice`` does not take.

        The message names the choice only when there is more than one.
        """
        choice = choice or self.default
        option = f"{self.name}_conf" + (f" ({self.name}: {choice})" if len(self.classes) > 1 else "")
        check_conf_keys(conf, option, self.conf_keys(choice))
