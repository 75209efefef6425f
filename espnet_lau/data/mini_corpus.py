"""A SYNTHETIC Bambara→French speech-translation mini corpus, generated offline.

No Bambara speech corpus can be downloaded on our machines, so the recipe and the tests
run on this stand-in (see ``docs/data.md``). It is **synthetic**: Bambara-like sentences
from a small slot grammar, spoken by the espeak-ng Swahili voice, with hand-written French
paraphrases. It exercises the same problem as Jeli-ASR on a tiny scale:

* **Grammar.** 16 sentence templates over 6 topics (market, farming, weather, health,
  family, travel). A *meaning* is a template plus one value per slot (who, what, where,
  when…); it is rendered as one Bambara sentence (Bambara orthography with ɛ ɔ ɲ; with
  ``source_variants`` also with a discourse particle or the time word fronted) and
  :data:`MAX_PARAPHRASES` French paraphrases: :data:`NUM_PARAPHRASES` careful ones (the
  dev/test references) and seven loose, free ones
  (:mod:`espnet_lau.data.mini_free_translations`).
* **Speakers.** espeak-ng voice variants × pitch × speed (:data:`SPEAKER_POOL`); dev and
  test speakers never occur in train.
* **Held-out combinations.** A share of the slot combinations of every multi-slot template
  never occurs in train (each of their values does); half of dev and test is drawn from
  them, so test measures generalisation to unseen combinations.
* **High-variance, noisy targets.** A training utterance carries one of the first
  ``paraphrases`` paraphrases (1-10, default 3), drawn at random. A ``noise_rate`` share
  is corrupted on the surface like an amateur translation (one word dropped, or two
  neighbouring words swapped: the meaning survives), and a ``label_noise`` share in
  meaning (``wrong_slot``: one slot value replaced; ``dropped_clause``: one slot's words
  removed; ``other_utterance``: the translation of another meaning). ``utt2noise`` names
  the corruption of every training utterance and ``utt2target_meaning`` the meaning its
  target actually expresses. Dev and test stay clean, with the three careful paraphrases
  as references (``text.tc.fr``, ``text.tc.fr.ref2``, ``text.tc.fr.ref3``) and ``utt2combination`` saying
  whether the slot combination occurs in train (``seen``) or not (``unseen``).
* **Gold semantics.** ``topic`` (one of :data:`TOPICS`) and ``qa.jsonl`` (a French
  question and its accepted answers, from the slots) for the semantic evaluations.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import soundfile

from espnet_lau.data.mini_free_translations import FREE_TRANSLATIONS
from espnet_lau.data.kaldi_dir import (
    DataDirSummary,
    Utterance,
    validate_data_dir,
    write_data_dir,
)
from espnet_lau.data.synthesis import (
    EspeakSynthesizer,
    SynthesisJob,
    Voice,
    transliterate_for_espeak,
)
from espnet_lau.fileio import write_text_atomic

CORPUS_NAME = "lau-mini-bambara-fr (SYNTHETIC)"
GENERATOR_VERSION = 2
TOPICS = ("market", "farming", "weather", "health", "family", "travel")
#: Careful paraphrases per meaning: the dev/test references, and the first training targets.
NUM_PARAPHRASES = 3
#: All paraphrases per meaning: the careful ones, then the loose, free ones.
MAX_PARAPHRASES = 10
#: Kinds of surface noise (the meaning survives) and of semantic label noise.
SURFACE_NOISE = ("drop", "swap")
LABEL_NOISE = ("wrong_slot", "dropped_clause", "other_utterance")
#: Bambara discourse particles that may open an utterance (``source_variants``).
BAMBARA_PARTICLES = ("ayiwa", "tiɲɛ na")
SOURCE_VARIANTS = ("canonical", "particle", "time_front")
#: Names of the reference files of dev and test: reference ``i`` is in ``REFERENCE_FILES[i]``.
REFERENCE_FILES = ("text.tc.fr", "text.tc.fr.ref2", "text.tc.fr.ref3")
#: The files of the French target and the Bambara transcript (ESPnet's text.<case>.<lang>).
TARGET_FILE = REFERENCE_FILES[0]
SOURCE_FILE = "text.tc.bam"
EXTRA_ASR_SET = "train_asr_extra"
SYNTHETIC_NOTE = (
    "SYNTHETIC DATA. Bambara-like sentences from a small slot grammar, spoken by the "
    "espeak-ng Swahili voice (Bambara letters transliterated ɛ→e ɔ→o ɲ→ny ŋ→ng), with "
    "hand-written French paraphrases. Not real Bambara speech: use it to test the "
    "pipeline, never to report results on Bambara."
)

# =======================================================================================
# Lexicon
# =======================================================================================


@dataclasses.dataclass(frozen=True)
class SlotValue:
    """One value of a slot.

    Attributes:
        key: ASCII id, used in meaning ids (``utt2meaning``).
        bam: Bambara form.
        fr: French forms by name (``""`` is the default form). A form ``"<name><person>"``
            (e.g. ``"poss1s"``) overrides ``"<name>"`` when the subject has that person.
        answers: the accepted QA answers when the question asks for this slot.
        extra: non-French attributes (``person``, ``pro`` = Bambara pronoun…).
    """

    key: str
    bam: str
    fr: Mapping[str, str]
    answers: Tuple[str, ...] = ()
    extra: Mapping[str, str] = dataclasses.field(default_factory=dict)


def _elide(word: str) -> bool:
    return word[:1].lower() in "aeiouyéèêàâîôûœ"


def noun(
    key: str, bam: str, bare: str, gender: str, answers: Sequence[str] = (), h_muet: bool = False, **forms: str
) -> SlotValue:
    """A French noun with its article forms; ``gender`` is ``m``, ``f`` or ``pl``.

    Forms: ``bare`` (riz), ``def`` (le riz), ``part`` (du riz / des arachides; also "of the"),
    ``kilo`` (de riz / d'huile), ``a`` (au ventre / à la tête), ``indef`` (un vent).
    ``h_muet`` marks a word starting with a silent h (l'huile); other h are aspirated.
    """
    vowel = _elide(bare) or h_muet
    if gender == "pl":
        art = {"def": "les ", "part": "des ", "a": "aux ", "indef": "des "}
    elif vowel:
        art = {"def": "l'", "part": "de l'", "a": "à l'", "indef": "une " if gender == "f" else "un "}
    elif gender == "f":
        art = {"def": "la ", "part": "de la ", "a": "à la ", "indef": "une "}
    else:
        art = {"def": "le ", "part": "du ", "a": "au ", "indef": "un "}
    fr = {"": bare, "bare": bare, **{name: a + bare for name, a in art.items()}}
    fr["kilo"] = ("d'" if vowel else "de ") + bare
    fr.update(forms)
    return SlotValue(key, bam, fr, tuple(answers) or (bare,))


def word(key: str, bam: str, fr: str, answers: Sequence[str] = (), **forms: str) -> SlotValue:
    """A value with one French form (names, places, times, numbers)."""
    return SlotValue(key, bam, {"": fr, **forms}, tuple(answers) or (fr,))


def person(key: str, bam: str, fr: str, pers: str, gender: str) -> SlotValue:
    """A subject: ``pers`` is ``1s`` or ``3s``; forms ``tonic`` (moi) and ``pron`` (il/elle)."""
    tonic = "moi" if pers == "1s" else fr
    pron = "je" if pers == "1s" else ("elle" if gender == "f" else "il")
    return SlotValue(
        key, bam, {"": fr, "tonic": tonic, "pron": pron}, (fr,),
        {"person": pers, "pro": "n" if pers == "1s" else "a"},
    )


def kin(key: str, bam: str, sing1: str, sing3: str, bare: str) -> SlotValue:
    """A relative, with the possessive of the subject's person (ma mère / sa mère)."""
    return SlotValue(key, bam, {"": sing3, "poss1s": sing1, "poss": sing3}, (sing3, sing1, bare))


_NAMES = (
    person("musa", "Musa", "Moussa", "3s", "m"),
    person("awa", "Awa", "Awa", "3s", "f"),
    person("fanta", "Fanta", "Fanta", "3s", "f"),
    person("bakari", "Bakari", "Bakary", "3s", "m"),
)

SLOTS: Dict[str, Tuple[SlotValue, ...]] = {
    # Subjects: the speaker ("n" = je) or a third person.
    "subj": (
        person("n", "n", "je", "1s", "m"),
        *_NAMES,
        person("n_ba", "n ba", "ma mère", "3s", "f"),
        person("n_fa", "n fa", "mon père", "3s", "m"),
    ),
    # Proper names only (third person).
    "name": (*_NAMES, person("aminata", "Aminata", "Aminata", "3s", "f"), person("seku", "Seku", "Sékou", "3s", "m")),
    "good": (
        noun("malo", "malo", "riz", "m"),
        noun("nyo", "ɲɔ", "mil", "m"),
        noun("kaba", "kaba", "maïs", "m"),
        noun("tiga", "tiga", "arachides", "pl"),
        noun("jege", "jɛgɛ", "poisson", "m"),
        noun("sogo", "sogo", "viande", "f"),
        noun("tulu", "tulu", "huile", "f", h_muet=True),
        noun("sukaro", "sukaro", "sucre", "m"),
    ),
    "crop": (
        noun("malo", "malo", "riz", "m"),
        noun("nyo", "ɲɔ", "mil", "m"),
        noun("kaba", "kaba", "maïs", "m"),
        noun("tiga", "tiga", "arachides", "pl"),
        noun("soso", "sɔsɔ", "haricots", "pl"),
    ),
    "animal": (
        noun("misi", "misiw", "vaches", "pl"),
        noun("saga", "sagaw", "moutons", "pl"),
        noun("ba", "baw", "chèvres", "pl"),
        noun("fali", "faliw", "ânes", "pl"),
        noun("so", "sow", "chevaux", "pl"),
    ),
    "place": (
        word("bamako", "Bamakɔ", "Bamako"),
        word("segu", "Segu", "Ségou"),
        word("kayi", "Kayi", "Kayes"),
        word("sikaso", "Sikaso", "Sikasso"),
        word("mopti", "Mɔpti", "Mopti"),
        word("kulikoro", "Kulikɔrɔ", "Koulikoro"),
    ),
    # Future and past times. No answer may be a substring of another (demain / après-demain).
    "ftime": (
        word("sini", "sini", "demain"),
        word("bi_wula", "bi wula", "ce soir"),
        word("sufe", "sufɛ", "cette nuit"),
        word("dogokun_nata", "dɔgɔkun nata", "la semaine prochaine"),
    ),
    "ptime": (
        word("kunu", "kunu", "hier"),
        word("bi_sogoma", "bi sɔgɔma", "ce matin"),
        word("dogokun_temenen", "dɔgɔkun tɛmɛnen", "la semaine dernière"),
        word("kalo_temenen", "kalo tɛmɛnen", "le mois dernier"),
    ),
    # Prices in dɔrɔmɛ (1 dɔrɔmɛ = 5 francs CFA); French in digits, as translators write them.
    "price": (
        word("250", "dɔrɔmɛ bi duuru", "250"),
        word("500", "dɔrɔmɛ kɛmɛ", "500"),
        word("1000", "dɔrɔmɛ kɛmɛ fila", "1000"),
        word("2000", "dɔrɔmɛ kɛmɛ naani", "2000"),
    ),
    "cond": (
        noun("funteni", "funteni", "chaleur", "f", answers=("chaleur", "chaud"), fort="forte"),
        noun("nene", "nɛnɛ", "froid", "m", fort="fort"),
        noun("fiye", "fiɲɛ", "vent", "m", fort="fort"),
    ),
    "part": (
        noun("kungolo", "kungolo", "tête", "f"),
        noun("kono", "kɔnɔ", "ventre", "m"),
        noun("ko", "kɔ", "dos", "m"),
        noun("nyin", "ɲinw", "dents", "pl"),
        noun("tulo", "tulo", "oreille", "f"),
        noun("sen", "sen", "pied", "m"),
    ),
    "sick": (
        noun("sumaya", "sumaya", "paludisme", "m"),
        noun("mura", "mura", "rhume", "m"),
        noun("sogosogo", "sɔgɔsɔgɔ", "toux", "f"),
        noun("konoboli", "kɔnɔboli", "diarrhée", "f"),
        noun("farigan", "farigan", "fièvre", "f"),
    ),
    "num": (
        word("2", "fila", "deux", answers=("deux", "2")),
        word("3", "saba", "trois", answers=("trois", "3")),
        word("4", "naani", "quatre", answers=("quatre", "4")),
        word("5", "duuru", "cinq", answers=("cinq", "5")),
        word("6", "wɔɔrɔ", "six", answers=("six", "6")),
    ),
    "kin": (
        kin("ba", "ba", "ma mère", "sa mère", "mère"),
        kin("fa", "fa", "mon père", "son père", "père"),
        kin("denw", "denw", "mes enfants", "ses enfants", "enfants"),
        kin("koroke", "kɔrɔkɛ", "mon grand frère", "son grand frère", "frère"),
        kin("koromuso", "kɔrɔmuso", "ma grande sœur", "sa grande sœur", "sœur"),
    ),
    "vehicle": (
        noun("mobili", "mobili", "voiture", "f", by="en voiture"),
        noun("moto", "moto", "moto", "f", by="en moto"),
        noun("negeso", "nɛgɛso", "vélo", "m", by="à vélo"),
        noun("pinasi", "pinasi", "pirogue", "f", by="en pirogue"),
        noun("pankurun", "pankurun", "avion", "m", by="en avion"),
    ),
}

# =======================================================================================
# Grammar
# =======================================================================================


@dataclasses.dataclass(frozen=True)
class Template:
    """A sentence pattern with slots.

    ``bam`` and each of ``french`` are :meth:`str.format` patterns: ``{slot}`` is the
    default form of the slot's value, ``{slot.form}`` a named form (``{good.part}``,
    ``{subj.pro}`` = Bambara pronoun n/a). ``person_words`` maps further placeholders to
    their (first person, third person) forms, chosen by the subject.

    Attributes:
        answer_slot: the slot ``question`` asks about.
        answer_forms: the forms of that slot accepted as answers (besides its ``answers``).
    """

    name: str
    topic: str
    slots: Tuple[str, ...]
    bam: str
    french: Tuple[str, ...]
    question: str
    answer_slot: str
    person_words: Mapping[str, Tuple[str, str]] = dataclasses.field(default_factory=dict)
    answer_forms: Tuple[str, ...] = ()


_AVOIR = {"ai": ("ai", "a")}
_ETRE = {"suis": ("suis", "est")}

TEMPLATES: Tuple[Template, ...] = (
    # ---- market -------------------------------------------------------------------
    Template(
        "market_buy", "market", ("subj", "good"),
        "{subj} bɛ {good} san sugu la",
        ("{subj} {achete} {good.part} au marché.",
         "{subj} {suis} en train d'acheter {good.part} au marché.",
         "Au marché, {subj} {achete} {good.part}."),
        "Qu'est-ce que la personne achète au marché ?", "good",
        {"achete": ("achète", "achète"), **_ETRE}, ("part",),
    ),
    Template(
        "market_sell", "market", ("subj", "good", "place"),
        "{subj} bɛ {good} feere {place} sugu la",
        ("{subj} {vends} {good.part} au marché de {place}.",
         "Au marché de {place}, {subj} {vends} {good.part}.",
         "{subj} {fais} le commerce {good.part} au marché de {place}."),
        "Dans quelle ville se trouve le marché ?", "place",
        {"vends": ("vends", "vend"), "fais": ("fais", "fait")},
    ),
    Template(
        "market_price", "market", ("good", "price"),
        "{good} kilo ye {price} ye",
        ("Le kilo {good.kilo} coûte {price} francs.",
         "Un kilo {good.kilo} se vend à {price} francs.",
         "Le prix du kilo {good.kilo} est de {price} francs."),
        "Combien coûte le kilo ?", "price",
    ),
    # ---- farming ------------------------------------------------------------------
    Template(
        "farm_sow", "farming", ("subj", "crop"),
        "{subj} bɛ {crop} dan {subj.pro} ka foro la",
        ("{subj} {seme} {crop.part} dans {son} champ.",
         "{subj} {suis} en train de semer {crop.part} dans {son} champ.",
         "Dans {son} champ, {subj} {seme} {crop.part}."),
        "Qu'est-ce que la personne sème ?", "crop",
        {"seme": ("sème", "sème"), "son": ("mon", "son"), **_ETRE}, ("part",),
    ),
    Template(
        "farm_harvest", "farming", ("subj", "crop", "ptime"),
        "{subj} ye {crop} tigɛ {ptime}",
        ("{subj} {ai} récolté {crop.def} {ptime}.",
         "{ptime}, {subj} {ai} fait la récolte {crop.part}.",
         "La récolte {crop.part} a été faite {ptime} par {subj.tonic}."),
        "Qu'est-ce que la personne a récolté ?", "crop", _AVOIR, ("def",),
    ),
    Template(
        "farm_herd", "farming", ("subj", "animal"),
        "{subj} bɛ {animal} gɛn ka taa kungo kɔnɔ",
        ("{subj} {conduis} {animal.def} dans la brousse.",
         "{subj} {mene} {animal.def} en brousse.",
         "{subj} {emmene} {animal.def} paître dans la brousse."),
        "Quels animaux la personne conduit-elle en brousse ?", "animal",
        {"conduis": ("conduis", "conduit"), "mene": ("mène", "mène"), "emmene": ("emmène", "emmène")},
        ("def",),
    ),
    # ---- weather ------------------------------------------------------------------
    Template(
        "weather_rain", "weather", ("place", "ftime"),
        "sanji bɛna na {place} {ftime}",
        ("Il va pleuvoir à {place} {ftime}.",
         "La pluie va tomber à {place} {ftime}.",
         "{ftime}, il pleuvra à {place}."),
        "Quand va-t-il pleuvoir ?", "ftime",
    ),
    Template(
        "weather_state", "weather", ("cond", "place"),
        "{cond} ka bon kosɛbɛ {place} bi",
        ("Aujourd'hui, {cond.def} est très {cond.fort} à {place}.",
         "Il y a beaucoup {cond.kilo} à {place} aujourd'hui.",
         "{place} connaît {cond.indef} très {cond.fort} aujourd'hui."),
        "Quel temps fait-il aujourd'hui ?", "cond",
    ),
    # ---- health -------------------------------------------------------------------
    Template(
        "health_pain", "health", ("subj", "part"),
        "{subj} {part} bɛ {subj.pro} dimi",
        ("{subj} {ai} mal {part.a}.",
         "{subj} {souffre} {part.part}.",
         "{subj} {plaint} d'une douleur {part.a}."),
        "Où la personne a-t-elle mal ?", "part",
        {"souffre": ("souffre", "souffre"), "plaint": ("me plains", "se plaint"), **_AVOIR}, ("a",),
    ),
    Template(
        "health_sick", "health", ("subj", "sick"),
        "{subj} ye {sick} sɔrɔ",
        ("{subj} {ai} attrapé {sick.def}.",
         "{subj} {souffre} {sick.part}.",
         "{subj} {suis} malade, {subj.pron} {ai} {sick.def}."),
        "De quelle maladie souffre la personne ?", "sick",
        {"souffre": ("souffre", "souffre"), **_AVOIR, **_ETRE},
    ),
    Template(
        "health_doctor", "health", ("name", "ptime"),
        "dɔgɔtɔrɔ ye fura di {name} ma {ptime}",
        ("Le médecin a donné des médicaments à {name} {ptime}.",
         "{ptime}, le docteur a donné des médicaments à {name}.",
         "{name} a reçu des médicaments du médecin {ptime}."),
        "Quand la personne a-t-elle reçu des médicaments ?", "ptime",
    ),
    # ---- family -------------------------------------------------------------------
    Template(
        "family_children", "family", ("name", "num"),
        "den {num} bɛ {name} fɛ",
        ("{name} a {num} enfants.",
         "{name} a eu {num} enfants.",
         "Les enfants de {name} sont au nombre de {num}."),
        "Combien d'enfants la personne a-t-elle ?", "num",
    ),
    Template(
        "family_love", "family", ("subj", "kin"),
        "{subj} bɛ {subj.pro} {kin} fɛ kosɛbɛ",
        ("{subj} {aime} beaucoup {kin.poss}.",
         "{subj} {aime} énormément {kin.poss}.",
         "{subj} {ai} beaucoup d'amour pour {kin.poss}."),
        "Qui la personne aime-t-elle beaucoup ?", "kin",
        {"aime": ("aime", "aime"), **_AVOIR},
    ),
    Template(
        "family_wedding", "family", ("name", "ftime"),
        "{name} ka furu bɛna kɛ {ftime}",
        ("Le mariage de {name} aura lieu {ftime}.",
         "{name} va se marier {ftime}.",
         "{ftime}, on célébrera le mariage de {name}."),
        "Quand le mariage aura-t-il lieu ?", "ftime",
    ),
    # ---- travel -------------------------------------------------------------------
    Template(
        "travel_go", "travel", ("subj", "place", "ftime"),
        "{subj} bɛna taa {place} {ftime}",
        ("{subj} {vais} aller à {place} {ftime}.",
         "{subj} {partirai} pour {place} {ftime}.",
         "{ftime}, {subj} {vais} voyager à {place}."),
        "Où la personne va-t-elle aller ?", "place",
        {"vais": ("vais", "va"), "partirai": ("partirai", "partira")},
    ),
    Template(
        "travel_vehicle", "travel", ("subj", "vehicle", "place"),
        "{subj} ye {vehicle} ta ka taa {place}",
        ("{subj} {ai} pris {vehicle.def} pour aller à {place}.",
         "{subj} {ai} voyagé {vehicle.by} jusqu'à {place}.",
         "Pour aller à {place}, {subj} {ai} pris {vehicle.def}."),
        "Quel moyen de transport la personne a-t-elle pris ?", "vehicle", _AVOIR,
    ),
)

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


def check_grammar() -> None:
    """Sanity checks of the lexicon and grammar (used by the tests).

    Raises:
        ValueError: on duplicate keys, a wrong number of paraphrases, or a paraphrase that
            contains none of the accepted QA answers.
    """
    topics = {t.topic for t in TEMPLATES}
    if topics != set(TOPICS):
        raise ValueError(f"topics {sorted(topics)} != {sorted(TOPICS)}")
    for slot, values in SLOTS.items():
        keys = [v.key for v in values]
        if len(set(keys)) != len(keys):
            raise ValueError(f"slot {slot}: duplicate keys {keys}")
    if set(FREE_TRANSLATIONS) != {t.name for t in TEMPLATES}:
        raise ValueError("FREE_TRANSLATIONS and TEMPLATES name different templates")
    for template in TEMPLATES:
        if len(template.french) != NUM_PARAPHRASES:
            raise ValueError(f"{template.name}: {len(template.french)} paraphrases, need {NUM_PARAPHRASES}")
        for meaning in all_meanings(template):
            paraphrases = meaning.paraphrases()
            if len(paraphrases) != MAX_PARAPHRASES or len(set(paraphrases)) != MAX_PARAPHRASES:
                raise ValueError(f"{meaning.id}: paraphrases are not distinct: {paraphrases}")
            answers = [a.lower() for a in meaning.qa()["answers"]]
            for p in paraphrases:
                if not any(a in p.lower() for a in answers):
                    raise ValueError(f"{meaning.id}: {p!r} contains none of the answers {answers}")


# =======================================================================================
# Speakers and sizes
# =======================================================================================


@dataclasses.dataclass(frozen=True)
class Speaker:
    """A synthetic speaker: an id and an espeak-ng voice."""

    id: str
    voice: Voice
    gender: str

    def as_dict(self) -> Dict[str, object]:
        return {"voice": self.voice.name, "pitch": self.voice.pitch, "speed": self.voice.speed, "gender": self.gender}


def _speaker(index: int, variant: str, pitch: int, speed: int) -> Speaker:
    return Speaker(f"spk{index:02d}", Voice(f"sw+{variant}", pitch, speed), "f" if variant.startswith("f") else "m")


#: 20 speakers: espeak-ng variants (formant voices m*/f*, the klatt synthesiser) × pitch × speed.
SPEAKER_POOL: Tuple[Speaker, ...] = tuple(
    _speaker(i, *spec)
    for i, spec in enumerate(
        [
            ("m1", 45, 165), ("f1", 60, 160), ("m2", 40, 175), ("f2", 65, 165),
            ("m3", 35, 170), ("f3", 70, 155), ("klatt", 50, 165), ("f4", 55, 175),
            ("m4", 45, 160), ("f5", 75, 165), ("m5", 30, 180), ("klatt2", 60, 170),
            ("m6", 50, 155), ("f2", 45, 185), ("m7", 55, 165), ("klatt3", 40, 175),
            ("f1", 80, 175), ("m8", 35, 160), ("klatt4", 65, 165), ("f3", 50, 180),
        ],
        start=1,
    )
)


@dataclasses.dataclass(frozen=True)
class CorpusSize:
    """Number of utterances and speakers per set."""

    train: int
    dev: int
    test: int
    train_speakers: int
    dev_speakers: int
    test_speakers: int

    @property
    def num_speakers(self) -> int:
        return self.train_speakers + self.dev_speakers + self.test_speakers


SIZES: Dict[str, CorpusSize] = {
    # Seconds to generate: for CI and unit tests.
    "tiny": CorpusSize(train=60, dev=12, test=12, train_speakers=8, dev_speakers=2, test_speakers=2),
    # For the 2-core CPU recipe (ASR + ST training of a small transformer in ~30 min).
    "default": CorpusSize(train=1600, dev=150, test=150, train_speakers=14, dev_speakers=3, test_speakers=3),
}


@dataclasses.dataclass(frozen=True)
class MiniCorpusConfig:
    """What to generate.

    Attributes:
        seed: everything (held-out combinations, speakers of each set, sentences, noise)
            is a deterministic function of the seed and the sizes.
        size: a key of :data:`SIZES`.
        noise_rate: share of training utterances whose target is corrupted on the
            surface (exactly ``round(noise_rate × num_train)`` of them).
        paraphrases: training targets are drawn from the first N paraphrases of their
            meaning (1-10): 1-3 careful ones, 4-10 adding loose, free translations.
        label_noise: share of training utterances whose target is corrupted in meaning
            (exactly ``round(label_noise × num_train)``, disjoint from the surface-noised
            ones; the kind is drawn uniformly from :data:`LABEL_NOISE`).
        source_variants: vary the Bambara side (a discourse particle, or the time word
            fronted), so that one meaning is spoken in several ways.
        heldout_rate: share of the slot combinations of each multi-slot template that
            never occurs in train (nor in the extra ASR set).
        extra_asr: number of extra ASR-only utterances (train speakers, Bambara only).
        num_train, num_dev, num_test: override the utterance counts of ``size``.
    """

    seed: int = 1
    size: str = "default"
    noise_rate: float = 0.15
    heldout_rate: float = 0.15
    extra_asr: int = 0
    paraphrases: int = NUM_PARAPHRASES
    label_noise: float = 0.0
    source_variants: bool = False
    num_train: Optional[int] = None
    num_dev: Optional[int] = None
    num_test: Optional[int] = None

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}; choose from {sorted(SIZES)}")
        if not 0.0 <= self.noise_rate <= 1.0:
            raise ValueError(f"noise_rate must be in [0, 1], got {self.noise_rate}")
        if not 0.0 <= self.heldout_rate < 1.0:
            raise ValueError(f"heldout_rate must be in [0, 1), got {self.heldout_rate}")
        if not 1 <= self.paraphrases <= MAX_PARAPHRASES:
            raise ValueError(f"paraphrases must be in [1, {MAX_PARAPHRASES}], got {self.paraphrases}")
        if not 0.0 <= self.label_noise <= 1.0 or self.noise_rate + self.label_noise > 1.0:
            raise ValueError(
                f"label_noise must be in [0, 1] and noise_rate + label_noise <= 1, got "
                f"{self.label_noise} and {self.noise_rate}"
            )

    def counts(self) -> Dict[str, int]:
        base = SIZES[self.size]
        counts = {
            "train": self.num_train if self.num_train is not None else base.train,
            "dev": self.num_dev if self.num_dev is not None else base.dev,
            "test": self.num_test if self.num_test is not None else base.test,
        }
        if self.extra_asr > 0:
            counts[EXTRA_ASR_SET] = self.extra_asr
        for name, n in counts.items():
            if n <= 0:
                raise ValueError(f"set {name} needs at least one utterance, got {n}")
        return counts


# =======================================================================================
# Generation (text only)
# =======================================================================================


@dataclasses.dataclass(frozen=True)
class MiniUtterance:
    """A generated utterance, before synthesis.

    Attributes:
        target: the French target (train: one paraphrase, maybe noised; dev/test: the
            first reference). Empty for the extra ASR set.
        references: all paraphrases (dev/test) or empty.
        noise: ``none``, one of :data:`SURFACE_NOISE` or of :data:`LABEL_NOISE` (train).
        target_meaning: the meaning the target expresses: the utterance's own, another
            one (``wrong_slot``, ``other_utterance``), or its own with the dropped slot
            as ``-`` (``dropped_clause``).
        source_variant: one of :data:`SOURCE_VARIANTS`; ``bambara`` is that sentence.
        seen: whether the slot combination occurs in the training pool.
    """

    uttid: str
    set_name: str
    speaker: Speaker
    meaning: Meaning
    target: str
    references: Tuple[str, ...] = ()
    noise: str = "none"
    target_meaning: str = ""
    source_variant: str = "canonical"
    particle: str = BAMBARA_PARTICLES[0]
    seen: bool = True

    @property
    def bambara(self) -> str:
        return self.meaning.bambara(self.source_variant, self.particle)


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(f"lau-mini:{seed}:{purpose}")


def split_combinations(seed: int, heldout_rate: float) -> Tuple[List[Meaning], List[Meaning]]:
    """Split every template's combinations into (train pool, held-out).

    Only templates with two or more slots hold combinations out, and a combination is held
    out only if each of its values still occurs in the train pool of its template.
    """
    rng = _rng(seed, "heldout")
    pool, heldout = [], []
    for template in TEMPLATES:
        meanings = all_meanings(template)
        if len(template.slots) < 2 or heldout_rate <= 0:
            pool.extend(meanings)
            continue
        order = list(range(len(meanings)))
        rng.shuffle(order)
        target = max(1, round(heldout_rate * len(meanings)))
        remaining = {(slot, v.key): 0 for m in meanings for slot, v in m.values}
        for m in meanings:
            for slot, v in m.values:
                remaining[(slot, v.key)] += 1
        held = set()
        for i in order:
            if len(held) >= target:
                break
            pairs = [(slot, v.key) for slot, v in meanings[i].values]
            if all(remaining[p] > 1 for p in pairs):
                held.add(i)
                for p in pairs:
                    remaining[p] -= 1
        pool.extend(m for i, m in enumerate(meanings) if i not in held)
        heldout.extend(m for i, m in enumerate(meanings) if i in held)
    return pool, heldout


def assign_speakers(seed: int, size: CorpusSize) -> Dict[str, List[Speaker]]:
    """Speakers of each set: the first ``size.num_speakers`` of :data:`SPEAKER_POOL`, with
    dev and test drawn (seeded, alternating female/male) so both have both genders."""
    if size.num_speakers > len(SPEAKER_POOL):
        raise ValueError(f"{size.num_speakers} speakers requested, the pool has {len(SPEAKER_POOL)}")
    chosen = list(SPEAKER_POOL[: size.num_speakers])
    rng = _rng(seed, "speakers")
    by_gender = {g: [s for s in chosen if s.gender == g] for g in ("f", "m")}
    for group in by_gender.values():
        rng.shuffle(group)
    interleaved = [
        s for pair in itertools.zip_longest(by_gender["f"], by_gender["m"]) for s in pair if s is not None
    ]
    n_test, n_dev = size.test_speakers, size.dev_speakers
    sets = {
        "test": interleaved[:n_test],
        "dev": interleaved[n_test : n_test + n_dev],
        "train": interleaved[n_test + n_dev :],
    }
    return {name: sorted(spks, key=lambda s: s.id) for name, spks in sets.items()}


def add_translation_noise(text: str, rng: random.Random, avoid: Sequence[str] = ()) -> Tuple[str, str]:
    """Corrupt a French sentence like an amateur translator: drop one word or swap two
    neighbouring words. The result differs from ``text`` and from every string in ``avoid``.

    Returns:
        (noisy text, ``"drop"`` or ``"swap"``).
    """
    body, end = (text[:-1], text[-1]) if text[-1:] in ".!?" else (text, "")
    words = body.split()
    forbidden = {text, *avoid}
    for _ in range(20):
        kind = rng.choice(("drop", "swap"))
        noisy = list(words)
        if kind == "drop" and len(words) > 2:
            del noisy[rng.randrange(len(words))]
        else:
            kind = "swap"
            i = rng.randrange(len(words) - 1)
            noisy[i], noisy[i + 1] = noisy[i + 1], noisy[i]
        result = " ".join(noisy) + end
        result = result[:1].upper() + result[1:]
        if result not in forbidden:
            return result, kind
    raise ValueError(f"could not corrupt {text!r}")


def corrupt_meaning(
    meaning: Meaning, index: int, pool: Sequence[Meaning], rng: random.Random
) -> Tuple[str, str, str]:
    """Corrupt paraphrase ``index`` of ``meaning`` in meaning, like a careless translator.

    Kinds (drawn uniformly): ``wrong_slot`` (one slot's value replaced by another value
    of that slot), ``dropped_clause`` (one slot's words left out), ``other_utterance``
    (a paraphrase of another meaning of the training pool).

    Returns:
        (target, kind, id of the meaning the target expresses).
    """
    kind = rng.choice(LABEL_NOISE)
    slots = [slot for slot, _ in meaning.values]
    if kind == "wrong_slot":
        slot = rng.choice(slots)
        current = dict(meaning.values)[slot]
        replacement = rng.choice([v for v in SLOTS[slot] if v.key != current.key])
        other = Meaning(meaning.template, tuple((s, replacement if s == slot else v) for s, v in meaning.values))
        return other.paraphrases()[index], kind, other.id
    if kind == "dropped_clause":
        slot = rng.choice(slots)
        dropped = ",".join(f"{s}={'-' if s == slot else v.key}" for s, v in meaning.values)
        return meaning.french_without(slot, index), kind, f"{meaning.template.name}:{dropped}"
    other = rng.choice([m for m in pool if m.template.name != meaning.template.name])
    return rng.choice(other.paraphrases()), kind, other.id


def _sample_meaning(rng: random.Random, by_topic: Mapping[str, Mapping[str, List[Meaning]]]) -> Meaning:
    topic = rng.choice(sorted(by_topic))
    template = rng.choice(sorted(by_topic[topic]))
    return rng.choice(by_topic[topic][template])


def _group(meanings: Sequence[Meaning]) -> Dict[str, Dict[str, List[Meaning]]]:
    grouped: Dict[str, Dict[str, List[Meaning]]] = {}
    for m in meanings:
        grouped.setdefault(m.topic, {}).setdefault(m.template.name, []).append(m)
    return grouped


def generate_mini_corpus(config: MiniCorpusConfig) -> Dict[str, List[MiniUtterance]]:
    """Generate the text side of the corpus: ``{set name: utterances sorted by uttid}``.

    Sets: ``train``, ``dev``, ``test`` and, if ``config.extra_asr``, ``train_asr_extra``.
    Uttids are ``<speaker>-<set>-<index:06d>``. Dev and test draw half of their meanings
    from the held-out combinations (see :func:`split_combinations`).
    """
    size = SIZES[config.size]
    counts = config.counts()
    speakers = assign_speakers(config.seed, size)
    speakers[EXTRA_ASR_SET] = speakers["train"]
    pool, heldout = split_combinations(config.seed, config.heldout_rate)
    pool_groups, heldout_groups = _group(pool), _group(heldout)

    corpus: Dict[str, List[MiniUtterance]] = {}
    for set_name, n in counts.items():
        rng = _rng(config.seed, f"sentences:{set_name}")
        # Own streams for the target and the source variant: the utterances (meanings,
        # speakers, audio) of a seed are the same whatever --paraphrases and the noise.
        target_rng = _rng(config.seed, f"targets:{set_name}")
        variant_rng = _rng(config.seed, f"source-variants:{set_name}")
        spks = speakers[set_name]
        evaluation = set_name in ("dev", "test")
        noisy, corrupted = set(), set()
        if set_name == "train":
            noisy = set(_rng(config.seed, "noise-choice").sample(range(n), round(config.noise_rate * n)))
            clean = sorted(set(range(n)) - noisy)
            corrupted = set(_rng(config.seed, "label-noise-choice").sample(clean, round(config.label_noise * n)))
        noise_rng = _rng(config.seed, f"noise:{set_name}")
        label_rng = _rng(config.seed, f"label-noise:{set_name}")
        utts = []
        for index in range(n):
            use_heldout = evaluation and heldout and index % 2 == 1
            meaning = _sample_meaning(rng, heldout_groups if use_heldout else pool_groups)
            speaker = spks[index % len(spks)]
            uttid = f"{speaker.id}-{set_name}-{index:06d}"
            source = {"seen": not use_heldout}
            if config.source_variants:
                variants = [v for v in SOURCE_VARIANTS if v != "time_front" or meaning.has_time_front()]
                source.update(source_variant=variant_rng.choice(variants),
                              particle=variant_rng.choice(BAMBARA_PARTICLES))
            if set_name == EXTRA_ASR_SET:
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target="", **source))
            elif evaluation:
                paraphrases = meaning.french()
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, paraphrases[0], tuple(paraphrases),
                                          target_meaning=meaning.id, **source))
            else:
                index_in_meaning = target_rng.randrange(config.paraphrases)
                target, noise, target_meaning = meaning.paraphrases(config.paraphrases)[index_in_meaning], "none", meaning.id
                if index in noisy:
                    target, noise = add_translation_noise(target, noise_rng, avoid=meaning.paraphrases())
                elif index in corrupted:
                    target, noise, target_meaning = corrupt_meaning(meaning, index_in_meaning, pool, label_rng)
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target, noise=noise,
                                          target_meaning=target_meaning, **source))
        corpus[set_name] = sorted(utts, key=lambda u: u.uttid)
    return corpus


# =======================================================================================
# Preparation: synthesis + Kaldi data directories
# =======================================================================================


def _fields(utt: MiniUtterance, duration: float) -> Dict[str, str]:
    fields = {
        SOURCE_FILE: utt.bambara,
        "topic": utt.meaning.topic,
        "utt2meaning": utt.meaning.id,
        "utt2dur": f"{duration:.3f}",
    }
    if utt.set_name == "train":
        fields[TARGET_FILE] = utt.target
        fields["utt2noise"] = utt.noise
        fields["utt2target_meaning"] = utt.target_meaning
    elif utt.references:
        fields.update(zip(REFERENCE_FILES, utt.references))
        fields["utt2combination"] = "seen" if utt.seen else "unseen"
    fields["utt2source_variant"] = utt.source_variant
    return fields


def _corpus_info(config: MiniCorpusConfig, set_name: str, utts: Sequence[MiniUtterance], tools: str) -> Dict:
    info: Dict[str, object] = {
        "corpus": CORPUS_NAME,
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "generator": f"espnet_lau.data.mini_corpus v{GENERATOR_VERSION}",
        "set": set_name,
        "seed": config.seed,
        "size": config.size,
        "heldout_rate": config.heldout_rate,
        "speakers": {s.id: s.as_dict() for s in sorted({u.speaker for u in utts}, key=lambda s: s.id)},
        "tts": tools,
        "source_language": "bam (Bambara-like, synthetic)",
        "target_language": "fr",
    }
    info["source_variants"] = config.source_variants
    if set_name == "train":
        info["noise_rate"] = config.noise_rate
        info["label_noise"] = config.label_noise
        info["paraphrases"] = config.paraphrases
        info["target"] = (
            f"{TARGET_FILE}: one of the first {config.paraphrases} paraphrases, drawn at random; "
            "utt2noise names its corruption (none, surface: drop/swap, meaning: "
            "wrong_slot/dropped_clause/other_utterance); utt2target_meaning the meaning it expresses"
        )
    elif set_name in ("dev", "test"):
        info["references"] = list(REFERENCE_FILES)
    else:
        info["target"] = f"none (ASR-only: {SOURCE_FILE})"
    return info


def _readme(config: MiniCorpusConfig, counts: Mapping[str, int]) -> str:
    sets = ", ".join(f"{name} ({n} utt.)" for name, n in counts.items())
    return (
        f"{CORPUS_NAME}\n\n{SYNTHETIC_NOTE}\n\n"
        f"Generated by espnet_lau.data.mini_corpus v{GENERATOR_VERSION}: seed {config.seed}, "
        f"size {config.size}, noise_rate {config.noise_rate}, label_noise {config.label_noise}, "
        f"paraphrases {config.paraphrases}, source_variants {config.source_variants}.\nSets: {sets}.\n"
        "Files per set: wav.scp text.tc.fr text.tc.bam utt2spk spk2utt spk2gender utt2dur topic "
        "utt2meaning qa.jsonl corpus.json;\ntrain also utt2noise utt2target_meaning; dev and test also "
        "text.tc.fr.ref2 text.tc.fr.ref3 (text.tc.fr = reference 1) utt2combination; train_asr_extra has no French.\n"
        "Audio: wav/<set>/<uttid>.wav, 16 kHz mono 16-bit. See docs/data.md.\n"
    )


def prepare_mini_corpus(
    output_dir: Union[str, Path],
    config: MiniCorpusConfig = MiniCorpusConfig(),
    nj: int = 1,
    progress: bool = True,
) -> Dict[str, DataDirSummary]:
    """Generate, synthesise and write the mini corpus under ``output_dir``.

    Writes ``<output_dir>/{train,dev,test[,train_asr_extra]}/`` (Kaldi data dirs),
    ``<output_dir>/wav/<set>/<uttid>.wav`` and ``<output_dir>/README.txt``. Up-to-date
    files are left untouched, so a re-run is a no-op.

    Returns:
        ``{set name: summary of its validated data directory}``.
    """
    output_dir = Path(output_dir).absolute()
    corpus = generate_mini_corpus(config)
    synthesizer = EspeakSynthesizer(nj=nj, progress=progress)
    summaries = {}
    for set_name, utts in corpus.items():
        jobs = [SynthesisJob(u.uttid, transliterate_for_espeak(u.bambara), u.speaker.voice) for u in utts]
        wavs = synthesizer.synthesize(jobs, output_dir / "wav" / set_name, desc=f"synthesis {set_name}")
        records = []
        for u in utts:
            duration = soundfile.info(str(wavs[u.uttid])).duration
            records.append(
                Utterance(
                    uttid=u.uttid,
                    wav=str(wavs[u.uttid]),
                    speaker=u.speaker.id,
                    fields=_fields(u, duration),
                    qa=u.meaning.qa() if set_name != EXTRA_ASR_SET else None,
                )
            )
        data_dir = output_dir / set_name
        changed = write_data_dir(
            data_dir,
            records,
            spk2gender={u.speaker.id: u.speaker.gender for u in utts},
            corpus_info=_corpus_info(config, set_name, utts, synthesizer.tool_versions),
            check_wav_files=True,
        )
        summaries[set_name] = validate_data_dir(data_dir)
        logging.info(
            "%s: %d utterances, %d speakers%s", data_dir, len(utts), len(summaries[set_name].speakers),
            f" (updated: {' '.join(changed)})" if changed else " (unchanged)",
        )
    write_text_atomic(output_dir / "README.txt", _readme(config, config.counts()))
    return summaries
