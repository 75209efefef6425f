"""Loose, free French translations of the mini corpus's templates (paraphrases 4-10).

Each template of :data:`espnet_lau.data.mini.templates.TEMPLATES` has three careful
paraphrases; those are the dev/test references. Amateur translators also write freer
versions: another construction, a cleft, a passive, a colloquial verb, a reordering, an
added filler. These are listed here, seven per template, so that ``--paraphrases N``
(1-10) can give training targets that keep the meaning but share few tokens with each
other. Placeholders are those of :class:`~espnet_lau.data.mini.templates.Template`; the
second item of each entry adds person-dependent words (first person, third person).

Every pattern must still contain the QA answer (``check_grammar`` in
``tests/test_mini_corpus.py`` verifies it).
"""

from __future__ import annotations

from typing import Dict, Mapping, Tuple

FreeTranslations = Tuple[Tuple[str, ...], Mapping[str, Tuple[str, str]]]

FREE_TRANSLATIONS: Dict[str, FreeTranslations] = {
    "market_buy": (
        ("C'est au marché que {subj} {achete} {good.part}.",
         "{subj} {vais} au marché pour acheter {good.part}.",
         "{subj} {fais} {ses} achats au marché : {good.part}.",
         "Au marché, on vend {good.part} à {subj.tonic}.",
         "{subj} {prends} {good.part} chez les vendeurs du marché.",
         "Il s'agit de {subj.tonic} qui achète {good.part} au marché.",
         "{subj} {passe} au marché pour {good.part}."),
        {"vais": ("vais", "va"), "fais": ("fais", "fait"), "ses": ("mes", "ses"),
         "prends": ("prends", "prend"), "passe": ("passe", "passe")},
    ),
    "market_sell": (
        ("C'est à {place} que {subj} {vends} {good.part} au marché.",
         "{subj} {tiens} un étal {good.kilo} au marché de {place}.",
         "Au marché de {place}, on trouve {good.part} chez {subj.tonic}.",
         "{subj} {vends} au marché de {place}, {good.part} surtout.",
         "Le marché de {place} : {subj} y {vends} {good.part}.",
         "{subj} {vais} vendre {good.part} au grand marché de {place}.",
         "{subj} {fais} de bonnes affaires au marché de {place} avec {good.def}."),
        {"tiens": ("tiens", "tient"), "vais": ("vais", "va")},
    ),
    "market_price": (
        ("À {price} francs le kilo {good.kilo}.",
         "{good.def}, c'est {price} francs le kilo.",
         "Il faut payer {price} francs pour un kilo {good.kilo}.",
         "On vend le kilo {good.kilo} à {price} francs.",
         "Pour un kilo {good.kilo}, comptez {price} francs.",
         "Le kilo {good.kilo} revient à {price} francs.",
         "{price} francs, voilà le prix d'un kilo {good.kilo}."),
        {},
    ),
    "farm_sow": (
        ("C'est {crop.part} que {subj} {seme} dans {son} champ.",
         "{subj} {mets} {crop.part} en terre dans {son} champ.",
         "{subj} {plante} {crop.part} dans {son} champ.",
         "{subj} {fais} les semis {crop.kilo} dans {son} champ.",
         "{subj} {travaille} {son} champ pour y semer {crop.part}.",
         "Semer {crop.part} dans {son} champ, voilà ce que {subj} {fais}.",
         "{subj} {seme} au champ : {crop.bare}."),
        {"mets": ("mets", "met"), "plante": ("plante", "plante"), "fais": ("fais", "fait"),
         "travaille": ("travaille", "travaille")},
    ),
    "farm_harvest": (
        ("{subj} {ai} ramassé {crop.def} {ptime}.",
         "C'est {ptime} que {subj} {ai} récolté {crop.def}.",
         "{ptime}, c'était la récolte {crop.part} pour {subj.tonic}.",
         "{subj} {ai} fini de récolter {crop.def} {ptime}.",
         "{subj} {ai} rentré la récolte {crop.part} {ptime}.",
         "{ptime}, {subj} {ai} moissonné {crop.def}.",
         "{subj} {ai} récolté {ptime}, {crop.bare} surtout."),
        {},
    ),
    "farm_herd": (
        ("{subj} {garde} {animal.def} dans la brousse.",
         "C'est {subj.tonic} qui {conduis} {animal.def} en brousse.",
         "{subj} {fais} paître {animal.def} en brousse.",
         "{animal.def} vont en brousse avec {subj.tonic}.",
         "{subj} {amene} {animal.def} brouter loin dans la brousse.",
         "{subj} {suis} le berger : {subj.pron} {conduis} {animal.def} en brousse.",
         "{subj} {pars} en brousse avec {animal.def}."),
        {"garde": ("garde", "garde"), "fais": ("fais", "fait"), "amene": ("amène", "amène"),
         "suis": ("suis", "est"), "pars": ("pars", "part")},
    ),
    "weather_rain": (
        ("Il y aura de la pluie à {place} {ftime}.",
         "On attend la pluie à {place} {ftime}.",
         "{ftime}, la pluie arrive sur {place}.",
         "À {place}, il pleuvra {ftime}.",
         "Des averses sont prévues à {place} {ftime}.",
         "{place} va recevoir de la pluie {ftime}.",
         "Prenez vos parapluies {ftime} à {place}, il va pleuvoir."),
        {},
    ),
    "weather_state": (
        ("{place} souffre {cond.part} aujourd'hui.",
         "Aujourd'hui à {place}, {cond.def} est vraiment {cond.fort}.",
         "{cond.def} règne sur {place} aujourd'hui.",
         "À {place}, {cond.def} est très {cond.fort} en ce jour.",
         "Aujourd'hui, on sent beaucoup {cond.kilo} à {place}.",
         "Ça fait {cond.indef} terrible à {place} aujourd'hui.",
         "{place} est sous {cond.indef} très {cond.fort} aujourd'hui."),
        {},
    ),
    "health_pain": (
        ("{subj} {sens} une douleur {part.a}.",
         "{subj} {ai} une douleur {part.a}.",
         "Ça fait mal {part.a} à {subj.tonic}.",
         "{subj} {ai} très mal {part.a}.",
         "C'est {part.a} que {subj} {ai} mal.",
         "{subj} {ai} des douleurs {part.a}.",
         "{subj} {suis} malade, mal {part.a}."),
        {"sens": ("sens", "sent"), "suis": ("suis", "est")},
    ),
    "health_sick": (
        ("{subj} {ai} {sick.def}.",
         "{subj} {suis} malade {sick.kilo}.",
         "{subj} {ai} contracté {sick.def}.",
         "{subj} {souffre} {sick.part} depuis peu.",
         "Le médecin dit que {subj} {ai} {sick.def}.",
         "{subj} {ai} pris {sick.def}.",
         "Malade, {subj} {ai} {sick.def}."),
        {},
    ),
    "health_doctor": (
        ("{ptime}, {name} a eu des médicaments du médecin.",
         "Le docteur a soigné {name} avec des médicaments {ptime}.",
         "C'est {ptime} que le médecin a donné des remèdes à {name}.",
         "{name} a consulté le médecin {ptime} et a reçu des médicaments.",
         "Des médicaments ont été donnés à {name} par le médecin {ptime}.",
         "Le médecin a remis des médicaments à {name} {ptime}.",
         "{ptime}, on a donné à {name} des médicaments à l'hôpital."),
        {},
    ),
    "family_children": (
        ("{name} est parent de {num} enfants.",
         "{name} a une famille de {num} enfants.",
         "Il y a {num} enfants chez {name}.",
         "{num} enfants, c'est ce que {name} a.",
         "{name} élève {num} enfants.",
         "Dans la famille de {name}, il y a {num} enfants.",
         "{name} s'occupe de {num} enfants."),
        {},
    ),
    "family_love": (
        ("{subj} {adore} {kin.poss}.",
         "{subj} {tiens} beaucoup à {kin.poss}.",
         "{subj} {aime} tendrement {kin.poss}.",
         "{subj} {porte} {kin.poss} dans {son} cœur.",
         "C'est {kin.poss} que {subj} {aime} le plus.",
         "{subj} {aime} {kin.poss} de tout {son} cœur.",
         "{subj} {ai} une grande affection pour {kin.poss}."),
        {"adore": ("adore", "adore"), "tiens": ("tiens", "tient"), "porte": ("porte", "porte"),
         "son": ("mon", "son")},
    ),
    "family_wedding": (
        ("{ftime}, {name} se marie.",
         "On va marier {name} {ftime}.",
         "{name} fera son mariage {ftime}.",
         "La cérémonie de mariage de {name} est prévue {ftime}.",
         "C'est {ftime} que {name} va se marier.",
         "Les noces de {name} auront lieu {ftime}.",
         "{ftime}, c'est la fête : {name} se marie."),
        {},
    ),
    "travel_go": (
        ("{subj} {partirai} à {place} {ftime}.",
         "{ftime}, {subj} {prendrai} la route de {place}.",
         "{subj} {ai} prévu d'aller à {place} {ftime}.",
         "C'est {ftime} que {subj} {vais} aller à {place}.",
         "{subj} {ferai} le voyage de {place} {ftime}.",
         "{subj} {irai} à {place} {ftime}.",
         "Direction {place} {ftime} pour {subj.tonic}."),
        {"prendrai": ("prendrai", "prendra"), "ai": ("ai", "a"), "ferai": ("ferai", "fera"),
         "irai": ("irai", "ira")},
    ),
    "travel_vehicle": (
        ("{subj} {ai} fait le trajet jusqu'à {place} {vehicle.by}.",
         "C'est {vehicle.by} que {subj} {ai} rejoint {place}.",
         "{subj} {ai} utilisé {vehicle.def} pour le voyage à {place}.",
         "Pour rejoindre {place}, {subj} {ai} voyagé {vehicle.by}.",
         "{subj} {ai} gagné {place} {vehicle.by}.",
         "{subj} {ai} voyagé vers {place}, {vehicle.by}.",
         "{subj} {ai} pris {vehicle.indef} pour {place}."),
        {},
    ),
}
