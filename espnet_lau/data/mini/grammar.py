"""The mini corpus's grammar: a meaning (template + slot values) rendered in Bambara and French.

A *meaning* is a template (:mod:`espnet_lau.data.mini.templates`) plus one value per slot
(:mod:`espnet_lau.data.mini.lexicon`); it renders one Bambara sentence (and its source
variants) and the French paraphrases (careful ones in the template, loose ones in
:mod:`espnet_lau.data.mini.free_translations`), with French elision and, for a dropped
clause, its dangling preposition removed. :func:`all_meanings` lists every meaning of a
template; :func:`meaning_from_id` parses an ``utt2meaning`` value back, and
:meth:`Meaning.slot_renderings` gives the gold of slot recall (``utt2slots``). The corpus itself
(speakers, sizes, noise, Kaldi writing) is :mod:`espnet_lau.data.mini.corpus`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Dict, List, Mapping, Optional, Tuple

from espnet_lau.data.mini.free_translations import FREE_TRANSLATIONS
from espnet_lau.data.mini.lexicon import SLOTS, SlotValue
from espnet_lau.data.mini.templates import TEMPLATES, Template
from espnet_lau.utils.errors import UserError

#: Careful paraphrases per meaning: the dev/test references, and the first training targets.
NUM_PARAPHRASES = 3
#: All paraphrases per meaning: the careful ones, then the loose, free ones.
MAX_PARAPHRASES = 10
#: Bambara discourse particles that may open an utterance (``source_variants``).
BAMBARA_PARTICLES = ("ayiwa", "tiɲɛ na")
SOURCE_VARIANTS = ("canonical", "particle", "time_front")

_TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}


class _Form:
    """A slot value as seen by :meth:`str.format`: ``{x}`` and ``{x.form}``."""

    def __init__(self, value: SlotValue, lang: str, pers: str):
        self._value, self._lang, self._pers = value, lang, pers

    def _get(self, name: str) -> str:
        if self._lang == "bam":
            return self._value.bam if name == "" else self._value.extra[name]
        forms = self._value.fr
        return forms.get(name + self._pers, forms[name])

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._get(name)
        except KeyError:
            raise AttributeError(f"slot value {self._value.key!r} has no {self._lang} form {name!r}") from None

    def __format__(self, spec: str) -> str:
        return format(self._get(""), spec)


class _Blank:
    """A slot whose words are dropped: every form formats as :attr:`MARK`."""

    MARK = "\u2591"

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.MARK

    def __format__(self, spec: str) -> str:
        return self.MARK


_DANGLING = re.compile(r"\b(?:de|à|pour|par|chez|avec|sur|dans|vers|jusqu'à|d')\s*(?=\u2591)")
_JE = re.compile(r"\b([Jj])e (?=[aeiouyéèêàâîôûh])")
_DE = re.compile(r"\b([Dd])e (?=[AEIOUYÉaeiouyéèêàâîôû])")


def _finish_french(text: str) -> str:
    text = _JE.sub(r"\1'", text)
    text = _DE.sub(r"\1'", text)
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


@dataclasses.dataclass(frozen=True)
class Meaning:
    """A template with one value per slot."""

    template: Template
    values: Tuple[Tuple[str, SlotValue], ...]

    @property
    def id(self) -> str:
        """E.g. ``market_buy:subj=musa,good=malo`` (ASCII, no spaces)."""
        return self.template.name + ":" + ",".join(f"{slot}={v.key}" for slot, v in self.values)

    @property
    def topic(self) -> str:
        return self.template.topic

    def _forms(self, lang: str, blank_slot: Optional[str] = None) -> Dict[str, object]:
        values = dict(self.values)
        pers = values["subj"].extra["person"] if "subj" in values else "3s"
        fields: Dict[str, object] = {slot: _Form(v, lang, pers) for slot, v in values.items()}
        if blank_slot is not None:
            fields[blank_slot] = _Blank()
        if lang == "fr":
            words = {**self.template.person_words, **FREE_TRANSLATIONS[self.template.name][1]}
            fields.update({w: forms[0 if pers == "1s" else 1] for w, forms in words.items()})
        return fields

    def bambara(self, variant: str = "canonical", particle: str = BAMBARA_PARTICLES[0]) -> str:
        """The Bambara sentence (orthography with ɛ ɔ ɲ, no punctuation).

        Args:
            variant: ``canonical``; ``particle`` (``particle`` opens the sentence); or
                ``time_front`` (a sentence-final time word moved to the front; the
                canonical sentence for templates without one).
        """
        pattern = self.template.bam
        if variant == "time_front":
            for slot in ("ftime", "ptime"):
                if pattern.endswith(" {" + slot + "}"):
                    pattern = "{" + slot + "} " + pattern[: -len(slot) - 3]
        elif variant == "particle":
            pattern = particle + " " + pattern
        elif variant != "canonical":
            raise ValueError(f"unknown source variant {variant!r}: choose one of {SOURCE_VARIANTS}")
        return " ".join(pattern.format(**self._forms("bam")).split())

    def has_time_front(self) -> bool:
        """Whether ``bambara("time_front")`` differs from the canonical sentence."""
        return self.template.bam.endswith((" {ftime}", " {ptime}"))

    def patterns(self) -> Tuple[str, ...]:
        """The :data:`MAX_PARAPHRASES` French patterns: careful ones first."""
        return self.template.french + FREE_TRANSLATIONS[self.template.name][0]

    def french(self) -> List[str]:
        """The :data:`NUM_PARAPHRASES` careful French paraphrases (the references)."""
        return self.paraphrases(NUM_PARAPHRASES)

    def paraphrases(self, n: int = MAX_PARAPHRASES) -> List[str]:
        """The first ``n`` French paraphrases: the careful ones, then the free ones."""
        forms = self._forms("fr")
        return [_finish_french(p.format(**forms)) for p in self.patterns()[:n]]

    def french_without(self, slot: str, index: int) -> str:
        """Paraphrase ``index`` with the words of ``slot`` dropped (a lost clause).

        A preposition left dangling before the gap goes with it.
        """
        text = self.patterns()[index].format(**self._forms("fr", blank_slot=slot))
        text = _DANGLING.sub("", text).replace(_Blank.MARK, "")
        text = re.sub(r"\s+([.,:;!?])", r"\1", " ".join(text.split()))
        text = re.sub(r"^[,:;]\s*", "", text).replace(",.", ".")
        return _finish_french(text)

    def slot_renderings(self) -> Dict[str, List[str]]:
        """``{slot: [French forms]}``: every form that renders each slot's value in a
        translation (``riz``, ``du riz``, ``le riz``…), then its accepted QA answers, each
        once. A subject's pronoun form (``pron``: *il*, *elle*, *je*) is left out: it would
        match almost any sentence. The ``utt2slots`` value of the utterance
        (:mod:`espnet_lau.data.slots`).
        """
        return {
            slot: list(dict.fromkeys([*(form for name, form in value.fr.items() if name != "pron"), *value.answers]))
            for slot, value in self.values
        }

    def qa(self) -> Dict[str, object]:
        """``{"question": …, "answers": […]}`` about :attr:`Template.answer_slot`."""
        value = dict(self.values)[self.template.answer_slot]
        answers = [value.fr[f] for f in self.template.answer_forms] + list(value.answers)
        return {"question": self.template.question, "answers": list(dict.fromkeys(answers))}


def all_meanings(template: Template) -> List[Meaning]:
    """Every slot combination of a template, in a fixed order."""
    return [
        Meaning(template, tuple(zip(template.slots, combo)))
        for combo in itertools.product(*(SLOTS[s] for s in template.slots))
    ]


def meaning_from_id(meaning_id: str) -> Meaning:
    """Inverse of :attr:`Meaning.id`."""
    name, _, rest = meaning_id.partition(":")
    template = _TEMPLATES_BY_NAME[name]
    keys = dict(item.split("=", 1) for item in rest.split(","))
    values = []
    for slot in template.slots:
        by_key = {v.key: v for v in SLOTS[slot]}
        values.append((slot, by_key[keys[slot]]))
    return Meaning(template, tuple(values))


class MeaningIdError(UserError, ValueError):
    """A value of ``utt2meaning`` that is not a mini-corpus meaning id."""


def slots_from_meanings(meanings: Mapping[str, str]) -> Dict[str, Dict[str, List[str]]]:
    """``{uttid: slots}`` from ``{uttid: meaning id}`` (an ``utt2meaning`` file): what
    ``utt2slots`` holds, for a data directory written before it was.

    Raises:
        MeaningIdError: naming the first utterance whose id is not a meaning's.
    """
    slots = {}
    for uttid, meaning_id in meanings.items():
        try:
            meaning = meaning_from_id(meaning_id)
        except (KeyError, ValueError):
            raise MeaningIdError(f"utterance {uttid!r}: {meaning_id!r} is not a mini-corpus meaning id") from None
        slots[uttid] = meaning.slot_renderings()
    return slots
