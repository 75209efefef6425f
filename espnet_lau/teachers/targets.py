"""The sentences a teacher embeds: a Kaldi ``text`` file, checked and normalised."""

from __future__ import annotations

import dataclasses
from typing import Optional

from espnet_lau.data.kaldi_table import KaldiFileError, KaldiLine, read_kaldi_file
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.fileio import PathLike

_MAX_REPORTED_ERRORS = 20


class TextFileError(KaldiFileError):
    """A Kaldi ``text`` file that cannot be embedded; the message lists file:line problems."""


@dataclasses.dataclass(frozen=True)
class Target:
    """One line of a Kaldi ``text`` file to embed: its id, its normalised text, its line.

    (Not :class:`espnet_lau.data.kaldi_dir.Utterance`, which is a whole data-directory row.)"""

    uttid: str
    text: str
    lineno: int


def read_targets(path: PathLike, normalizer: Optional[TextNormalizer] = None) -> list[Target]:
    """Read and validate a Kaldi ``text`` file (``uttid sentence`` per line).

    Every line is checked before anything is returned: undecodable (non-UTF-8) bytes,
    blank lines, an utterance id without text, a duplicate id, and a text that is
    empty after normalisation are all reported with their line numbers.

    Args:
        path: the ``text`` file.
        normalizer: applied to every sentence; ``None`` for the default
            :class:`TextNormalizer` (use ``TextNormalizer.disabled()`` to keep the text).

    Returns:
        the utterances in file order.

    Raises:
        TextFileError: listing up to 20 problems as ``<path>, line <n>: <problem>``.
    """
    normalizer = TextNormalizer() if normalizer is None else normalizer
    normalized: dict[int, str] = {}  # line number -> normalised text

    def normalize(line: KaldiLine) -> Optional[str]:
        text = normalized[line.lineno] = normalizer(line.value)
        if not text:
            return (
                f"utterance {line.key!r}: empty text after normalisation "
                f"({normalizer.describe()}) of {line.value!r}"
            )
        return None

    lines = read_kaldi_file(path, check=normalize, error=TextFileError, max_shown=_MAX_REPORTED_ERRORS)
    if not lines:
        raise TextFileError(f"{path}: no utterances")
    return [Target(line.key, normalized[line.lineno], line.lineno) for line in lines]
