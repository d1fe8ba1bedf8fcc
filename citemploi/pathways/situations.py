"""The referential of situations: the detail of a barrier ("Pas de mode de garde pour un enfant de moins de 3 ans").

The product ships a small default set per barrier, written in our own words (`DEFAULT_SITUATIONS`, loaded by a
data migration and by `ensure_default_situations`). A standard nomenclature such as the national socio-
professional diagnostic of the carnet de bord can be imported with `citemploi import_situations PATH`; its
themes are mapped to our 11 barriers by `THEME_TO_BARRIER` (see docs/guide/parcours.md).
"""

from typing import Any

from citemploi.core.text import fold
from citemploi.offer.referentials import BARRIERS, BARRIERS_BY_CODE

#: source of the situations the product ships
DEFAULT_SOURCE = "citemploi"

#: barrier code → [(code, label, sensitive)]
DEFAULT_SITUATIONS: dict[str, list[tuple[str, str, bool]]] = {
    "reseau-professionnel": [
        ("ce-reseau-aucun-contact", "Ne connaît aucun employeur ni professionnel du métier visé", False),
        ("ce-reseau-premiere-experience", "N'a jamais travaillé en France ou n'a aucune référence", False),
        ("ce-reseau-codes-entreprise", "Méconnaît les codes et usages de l'entreprise", False),
    ],
    "savoirs-de-base": [
        ("ce-base-lecture", "Lit avec difficulté un document simple", False),
        ("ce-base-ecriture", "Écrit avec difficulté (formulaire, message)", False),
        ("ce-base-calcul", "Compte et calcule avec difficulté", False),
    ],
    "numerique": [
        ("ce-num-equipement", "N'a ni ordinateur ni smartphone utilisable", False),
        ("ce-num-messagerie", "N'a pas d'adresse électronique ou ne sait pas s'en servir", False),
        ("ce-num-demarches", "Ne réalise pas seul·e ses démarches en ligne", False),
        ("ce-num-connexion", "N'a pas de connexion à internet", False),
    ],
    "contraintes-familiales": [
        ("ce-famille-garde-petits", "Pas de mode de garde pour un enfant de moins de 3 ans", False),
        ("ce-famille-garde-scolaires", "Pas de solution de garde périscolaire", False),
        ("ce-famille-aidant", "S'occupe d'un proche dépendant", False),
        ("ce-famille-horaires", "Contraintes d'horaires liées à la famille", False),
    ],
    "mobilite": [
        ("ce-mob-permis", "N'a pas le permis de conduire", False),
        ("ce-mob-vehicule", "N'a pas de véhicule", False),
        ("ce-mob-transports", "Dépend des transports en commun, peu desservi", False),
        ("ce-mob-psychologique", "Ne se déplace pas hors du quartier (mobilité psychologique)", False),
    ],
    "logement": [
        ("ce-log-sans", "Sans logement ou hébergé·e chez un tiers", False),
        ("ce-log-urgence", "En hébergement d'urgence ou temporaire", False),
        ("ce-log-impayes", "Difficultés à payer le loyer", False),
        ("ce-log-expulsion", "Menacé·e d'expulsion", False),
    ],
    "precarite-financiere": [
        ("ce-fin-sans-ressource", "Sans aucune ressource", False),
        ("ce-fin-dettes", "Dettes ou surendettement", False),
        ("ce-fin-budget", "Difficultés à gérer son budget", False),
        ("ce-fin-alimentation", "Besoin d'une aide alimentaire ou matérielle", False),
    ],
    "sante-handicap": [
        ("ce-sante-acces-soins", "Difficultés d'accès aux soins", True),
        ("ce-sante-restriction", "Problème de santé limitant certains métiers", True),
        ("ce-sante-handicap", "Situation de handicap (reconnaissance en cours ou obtenue)", True),
        ("ce-sante-addiction", "Conduite addictive freinant le retour à l'emploi", True),
    ],
    "langue-francaise": [
        ("ce-langue-oral", "Comprend ou parle peu le français", False),
        ("ce-langue-ecrit", "Lit ou écrit peu le français (français langue étrangère)", False),
    ],
    "confiance-remobilisation": [
        ("ce-conf-isolement", "Isolement social, sort peu de chez soi", False),
        ("ce-conf-estime", "Manque de confiance en soi", False),
        ("ce-conf-longue-inactivite", "Longue période sans activité", False),
    ],
    "difficultes-administratives": [
        ("ce-adm-identite", "Pièce d'identité ou titre de séjour à obtenir ou renouveler", False),
        ("ce-adm-droits", "Droits sociaux non ouverts ou interrompus", False),
        ("ce-adm-courriers", "Ne comprend pas ses courriers administratifs", False),
        ("ce-adm-justice", "Démarches liées à une procédure judiciaire", True),
    ],
}

#: themes of the carnet de bord nomenclature (and similar ones) → our barrier codes.
#: "emploi" and "formation" describe the person's job or training situation, not a barrier: they are
#: reported as ignored unless the import is told otherwise (`--map emploi=reseau-professionnel`).
THEME_TO_BARRIER: dict[str, str | None] = {
    "contraintes_familiales": "contraintes-familiales",
    "difficulte_administrative": "difficultes-administratives",
    "difficulte_financiere": "precarite-financiere",
    "logement": "logement",
    "maitrise_langue": "langue-francaise",
    "mobilite": "mobilite",
    "numerique": "numerique",
    "sante": "sante-handicap",
    "emploi": None,
    "formation": None,
}

#: a situation whose words say this is about basic skills goes to barrier 2 whatever its theme
_BASIC_SKILLS_WORDS = ("calcul",)
#: words that make a situation sensitive (justice, addiction) whatever its barrier
SENSITIVE_WORDS = (
    "justice",
    "judiciaire",
    "juridique",
    "penal",
    "probation",
    "spip",
    "incarcer",
    "detention",
    "prison",
    "addict",
    "alcool",
    "drogue",
    "stupefiant",
)


def barrier_for_theme(theme: str, label: str, overrides: dict[str, str | None] | None = None) -> str | None:
    """Our barrier code for a nomenclature theme (a barrier code or number is accepted as is)."""
    key = theme.strip()
    table = {**THEME_TO_BARRIER, **(overrides or {})}
    if key in BARRIERS_BY_CODE:
        return key
    if key.isdigit() and 1 <= int(key) <= len(BARRIERS):
        return BARRIERS[int(key) - 1].code
    if key not in table:
        raise KeyError(key)
    barrier = table[key]
    if barrier is not None and any(word in fold(label) for word in _BASIC_SKILLS_WORDS):
        return "savoirs-de-base"
    return barrier


def is_sensitive(barrier: str, label: str) -> bool:
    """Barrier 8 (health, disability) and anything about justice or addiction."""
    if BARRIERS_BY_CODE[barrier].sensitive:
        return True
    words = fold(label)
    return any(word in words for word in SENSITIVE_WORDS)


def ensure_default_situations(model: Any = None) -> int:
    """Create the default situations that do not exist yet (by code); returns how many were created.

    `model` is the Situation model (the historical one in a data migration)."""
    if model is None:
        from citemploi.pathways.models import Situation as model  # noqa: N813
    existing = set(model.objects.values_list("code", flat=True))
    new = [
        model(code=code, label=label, barrier=barrier, sensitive=sensitive, source=DEFAULT_SOURCE)
        for barrier, rows in DEFAULT_SITUATIONS.items()
        for code, label, sensitive in rows
        if code not in existing
    ]
    model.objects.bulk_create(new)
    return len(new)
