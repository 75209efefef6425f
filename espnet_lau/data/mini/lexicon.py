"""The mini corpus's lexicon: every slot value with its Bambara form and French forms.

:data:`SLOTS` lists the values of each slot (who, what, where, when…) that the templates
of :mod:`espnet_lau.data.mini.templates` are filled with. The constructors write the
French forms a template may ask for: :func:`noun` the article forms (le/la/l'/les, du/de
la/de l'/des, au/à la/à l'/aux, de/d', un/une) by gender and elision, :func:`person` the
subject's pronouns, :func:`kin` the possessive of the subject's person.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Mapping, Sequence, Tuple


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
