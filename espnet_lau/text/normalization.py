"""Target-text normalisation, applied identically wherever targets are embedded or scored.

The LAU paper scores against lower-cased, punctuation-free French references. Apostrophes
and hyphens are kept because they are part of French words ("l'eau", "peut-être").
"""

from __future__ import annotations

import dataclasses
import unicodedata

# Typographic apostrophes and hyphens are mapped to their ASCII form first, so that
# "l’eau" and "l'eau" normalise to the same string.
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_HYPHENS = {"\u2010": "-", "\u2011": "-", "\u2012": "-"}


@dataclasses.dataclass(frozen=True)
class TextNormalizer:
    """Lower-casing and punctuation removal with apostrophes and hyphens kept.

    Args:
        lowercase: lower-case the text.
        remove_punctuation: replace every Unicode punctuation or symbol character by a
            space, except apostrophes and hyphens inside words.
        keep_apostrophes: keep ``'`` (typographic apostrophes are mapped to it).
        keep_hyphens: keep ``-``.

    Example:
        >>> TextNormalizer()("L’eau, c'est la vie ! Peut-être…")
        "l'eau c'est la vie peut-être"
    """

    lowercase: bool = True
    remove_punctuation: bool = True
    keep_apostrophes: bool = True
    keep_hyphens: bool = True

    @classmethod
    def disabled(cls) -> "TextNormalizer":
        """A normaliser that only collapses whitespace."""
        return cls(lowercase=False, remove_punctuation=False)

    def describe(self) -> str:
        """A short stable description, used in metadata, cache keys and reports."""
        if not (self.lowercase or self.remove_punctuation):
            return "none"
        parts = []
        if self.lowercase:
            parts.append("lc")
        if self.remove_punctuation:
            kept = ("'" if self.keep_apostrophes else "") + ("-" if self.keep_hyphens else "")
            parts.append(f"nopunct(keep={kept!r})")
        return "+".join(parts)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        for src, dst in {**_APOSTROPHES, **_HYPHENS}.items():
            text = text.replace(src, dst)
        if self.lowercase:
            text = text.lower()
        if self.remove_punctuation:
            text = "".join(self._map_char(c) for c in text)
            # A kept apostrophe or hyphen is only kept inside a word, never as a token.
            text = " ".join(tok.strip("'-") for tok in text.split())
        return " ".join(text.split())

    def _map_char(self, char: str) -> str:
        if char == "'" and self.keep_apostrophes:
            return char
        if char == "-" and self.keep_hyphens:
            return char
        if unicodedata.category(char)[0] in ("P", "S"):
            return " "
        return char
