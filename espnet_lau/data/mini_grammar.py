"""The mini corpus's grammar: the lexicon, the 16 templates, French agreement, meanings.

A *meaning* is a template plus one value per slot; it renders one Bambara sentence (and
its source variants) and the French paraphrases (careful ones here, loose ones in
:mod:`espnet_lau.data.mini_free_translations`). :func:`check_grammar` checks every
meaning of every template; :func:`meaning_from_id` parses an ``utt2meaning`` value back.
The corpus itself (speakers, sizes, noise, Kaldi writing) is :mod:`espnet_lau.data.mini_corpus`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from espnet_lau.data.mini_free_translations import FREE_TRANSLATIONS

TOPICS = ("market", "farming", "weather", "health", "family", "travel")
#: Careful paraphrases per meaning: the dev/test references, and the first training targets.
NUM_PARAPHRASES = 3
#: All paraphrases per meaning: the careful ones, then the loose, free ones.
MAX_PARAPHRASES = 10
#: Bambara discourse particles that may open an utterance (``source_variants``).
BAMBARA_PARTICLES = ("ayiwa", "tiɲɛ na")
SOURCE_VARIANTS = ("canonical", "particle", "time_front")

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
