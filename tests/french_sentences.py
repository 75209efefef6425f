"""Many distinct French sentences for teacher tests: subject x verb x object x place
(8 x 5 x 6 x 5 = 1,200 before they repeat), in a fixed order."""

from typing import List

SUBJECTS = ["Le pêcheur", "La commerçante", "Le griot", "Mon voisin", "L'institutrice",
            "Le chef du village", "La jeune fille", "Le vieux chasseur"]
VERBS = ["raconte", "explique", "chante", "rappelle", "annonce"]
OBJECTS = ["l'histoire du fleuve", "le prix du mil", "la fête de la récolte",
           "le départ des troupeaux", "la naissance du royaume", "la pluie d'hier soir"]
PLACES = ["au marché", "sous le baobab", "près du puits", "à Ségou", "devant l'école"]


def french_sentences(n: int) -> List[str]:
    """The first ``n`` sentences (cased, no final stop)."""
    return [f"{SUBJECTS[i % 8]} {VERBS[i // 8 % 5]} {OBJECTS[i // 40 % 6]} {PLACES[i // 240 % 5]}"
            for i in range(n)]
