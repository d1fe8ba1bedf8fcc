"""Detector of sensitive data in free text (RGPD art. 9 and 10: health, disability, pregnancy, addiction,
justice, religion, sexual orientation, ethnic origin, political or union opinions).

A pure function over text: accents, case and punctuation are ignored (the text is folded first). It only
warns: the user may confirm that the detail is needed for the pathway, or rewrite it. The vocabulary is
deliberately short and precise; it errs on the side of warning.
"""

import re
from dataclasses import dataclass

from citemploi.core.text import fold

#: category label → patterns over folded text (lower case, no accents, punctuation as single spaces)
VOCABULARY: dict[str, tuple[str, ...]] = {
    "santé": (
        r"sante",
        r"malad\w*",
        r"hopita\w*",
        r"hospitalis\w*",
        r"medeci\w*",
        r"medic\w*",
        r"cancer\w*",
        r"diabet\w*",
        r"depressi\w*",
        r"psychiatr\w*",
        r"psycholog\w*",
        r"therapi\w*",
        r"chimio\w*",
        r"arret de travail",
        r"arret maladie",
        r"operation chirurgicale",
        r"mdph",
        r"cmp",
    ),
    "handicap": (r"handicap\w*", r"rqth", r"aah", r"invalidite", r"esat"),
    "grossesse": (
        r"grossesse\w*",
        r"enceinte de (?:\d+|un|deux|trois|quatre|cinq|six|sept|huit|neuf) mois",
        r"elle attend un enfant",
        r"est enceinte",
        r"etait enceinte",
        r"ivg",
        r"fausse couche",
        r"conge (?:de )?maternite",
    ),
    "addiction": (
        r"addict\w*",
        r"alcool\w*",
        r"drogues?",
        r"cannabis",
        r"toxicoman\w*",
        r"sevrage",
        r"csapa",
        r"stupefiant\w*",
    ),
    "justice": (
        r"prison\w*",
        r"detenu\w*",
        r"detention",
        r"incarcer\w*",
        r"casier judiciaire",
        r"condamn\w*",
        r"spip",
        r"pjj",
        r"probation",
        r"sursis",
        r"bracelet electronique",
        r"tribunal",
        r"tribunaux",
        r"juge d application des peines",
        r"juge des enfants",
        r"garde a vue",
        r"sous main de justice",
        r"travail d interet general",
        r"tig",
    ),
    "religion": (
        r"religi\w*",
        r"musulman\w*",
        r"chretien\w*",
        r"catholique\w*",
        r"protestant\w*",
        r"juif\w*",
        r"juive\w*",
        r"islam\w*",
        r"ramadan",
        r"mosquee\w*",
        r"eglise\w*",
        r"synagogue\w*",
        r"porte le voile",
        r"foulard",
    ),
    "orientation sexuelle": (
        r"homosexu\w*",
        r"heterosexu\w*",
        r"bisexu\w*",
        r"gay",
        r"lesbienne\w*",
        r"transgenre\w*",
        r"lgbt\w*",
        r"orientation sexuelle",
        r"vie sexuelle",
    ),
    "origine ethnique": (
        r"ethni\w*",
        r"racial\w*",
        r"race",
        r"couleur de peau",
        r"origine (?:africaine|maghrebine|arabe|asiatique|etrangere)",
        r"sans papiers",
    ),
    "opinions politiques ou syndicales": (
        r"syndica\w*",
        r"syndique\w*",
        r"cgt",
        r"cfdt",
        r"parti politique",
        r"opinion\w* politique\w*",
        r"militant\w*",
        r"vote pour",
        r"rassemblement national",
        r"france insoumise",
    ),
}

_COMPILED = {
    category: re.compile(r"\b(?:" + "|".join(patterns) + r")\b") for category, patterns in VOCABULARY.items()
}


@dataclass(frozen=True)
class Finding:
    category: str
    #: the words found, as folded (no accents, lower case)
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.category} (« {' », « '.join(self.words)} »)"


def find_sensitive(text: str) -> list[Finding]:
    """The categories of sensitive data the text seems to contain, in the order of VOCABULARY."""
    folded = fold(text or "")
    if not folded:
        return []
    findings = []
    for category, pattern in _COMPILED.items():
        words = tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(folded)))
        if words:
            findings.append(Finding(category, words))
    return findings


def describe(findings: list[Finding]) -> str:
    """A French sentence for a warning."""
    return (
        "Ce texte semble contenir des données sensibles : "
        + " ; ".join(str(f) for f in findings)
        + ". Ne notez que ce qui est nécessaire au parcours, sans détail de santé, de justice, de religion, "
        "d'orientation sexuelle, d'origine ou d'opinion. Reformulez, ou confirmez l'enregistrement."
    )
