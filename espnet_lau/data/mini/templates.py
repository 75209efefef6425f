"""The mini corpus's 16 sentence templates over 6 topics, each with its QA question.

A template is a Bambara pattern and three careful French patterns over named slots (the
values are in :mod:`espnet_lau.data.mini.lexicon`; seven loose French patterns per
template are in :mod:`espnet_lau.data.mini.free_translations`). Rendering a template
with one value per slot is :class:`espnet_lau.data.mini.grammar.Meaning`.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Tuple

TOPICS = ("market", "farming", "weather", "health", "family", "travel")


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
