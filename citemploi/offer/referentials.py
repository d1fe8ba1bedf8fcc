"""The common vocabulary of needs: the 11 barriers (freins) and their mapping to data·inclusion themes.

A barrier is lifted by the services whose themes (data·inclusion v1 `thematiques`, `<category>--<sub-theme>`)
fall in the barrier's categories or are one of its sub-themes. The mapping is our own data: the product needs it
to run, whether or not the full theme referential has been loaded (`citemploi import_di_referentials`).

The 16 theme categories have their French label here too; sub-theme labels come from the loaded referential
(`Thematique` rows) and fall back to the category label and the code.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from citemploi.core.text import fold
from citemploi.offer.enums import AreaKind, InsertionStep

#: data·inclusion v1 theme categories (the part of a theme code before `--`), with our French labels
THEME_CATEGORIES: dict[str, str] = {
    "choisir-un-metier": "Choisir un métier",
    "creer-une-entreprise": "Créer une entreprise",
    "difficultes-administratives-ou-juridiques": "Difficultés administratives ou juridiques",
    "difficultes-financieres": "Difficultés financières",
    "equipement-et-alimentation": "Équipement et alimentation",
    "famille": "Famille",
    "lecture-ecriture-calcul": "Lecture, écriture, calcul",
    "logement-hebergement": "Logement, hébergement",
    "mobilite": "Mobilité",
    "numerique": "Numérique",
    "preparer-sa-candidature": "Préparer sa candidature",
    "remobilisation": "Remobilisation",
    "sante": "Santé",
    "se-former": "Se former",
    "souvrir-a-linternational": "S'ouvrir à l'international",
    "trouver-un-emploi": "Trouver un emploi",
}

#: the sub-themes the barrier mapping names, with a label usable before the referential is loaded
KNOWN_THEMES: dict[str, str] = {
    "lecture-ecriture-calcul--maitriser-le-francais": "Maîtriser le français",
    "preparer-sa-candidature--developper-son-reseau": "Développer son réseau",
}

#: themes whose mere mention about a person is sensitive (addiction care, justice)
SENSITIVE_THEMES = frozenset(
    {
        "sante--addictions",
        "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire",
    }
)

THEME_SEPARATOR = "--"
_THEME_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*--[a-z0-9]+(?:-[a-z0-9]+)*$")
_CATEGORY_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Barrier:
    """A barrier to employment (frein périphérique), as the vadémécum and the calls for projects name them."""

    code: str
    number: int
    label: str
    #: the same need in a resident's words, for the public directory
    public_label: str
    #: health, disability: a person's barrier of this kind is for the responsible référent only
    sensitive: bool
    categories: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def is_lifted_by(self, theme_code: str) -> bool:
        """Whether a service with this theme lifts the barrier (a category code stands for all its sub-themes)."""
        return (
            theme_code in self.themes
            or category_of(theme_code) in self.categories
            or theme_code in self.theme_categories
        )

    @property
    def theme_categories(self) -> tuple[str, ...]:
        """Categories of the barrier's sub-themes: a service covering a whole category covers them too."""
        return tuple(category_of(code) for code in self.themes)

    @property
    def mapped_codes(self) -> tuple[str, ...]:
        return self.categories + self.themes


BARRIERS: tuple[Barrier, ...] = (
    Barrier(
        "reseau-professionnel",
        1,
        "Réseau professionnel",
        "Rencontrer des employeurs, me faire connaître",
        False,
        categories=("trouver-un-emploi",),
        themes=("preparer-sa-candidature--developper-son-reseau",),
    ),
    Barrier(
        "savoirs-de-base",
        2,
        "Savoirs de base (lire, écrire, compter)",
        "Lire, écrire, compter",
        False,
        categories=("lecture-ecriture-calcul",),
    ),
    Barrier(
        "numerique",
        3,
        "Compétences numériques",
        "Utiliser un ordinateur, un téléphone, internet",
        False,
        categories=("numerique",),
    ),
    Barrier(
        "contraintes-familiales",
        4,
        "Contraintes familiales (garde d'enfants, proches dépendants, violences)",
        "Faire garder mes enfants, m'occuper d'un proche, ma famille",
        False,
        categories=("famille",),
    ),
    Barrier("mobilite", 5, "Mobilité", "Me déplacer, passer le permis", False, categories=("mobilite",)),
    Barrier("logement", 6, "Logement", "Me loger", False, categories=("logement-hebergement",)),
    Barrier(
        "precarite-financiere",
        7,
        "Précarité financière",
        "Gérer mon budget, mes dettes, me nourrir, m'équiper",
        False,
        categories=("difficultes-financieres", "equipement-et-alimentation"),
    ),
    Barrier(
        "sante-handicap",
        8,
        "Santé et/ou handicap",
        "Ma santé, mon handicap",
        True,
        categories=("sante",),
    ),
    Barrier(
        "langue-francaise",
        9,
        "Langue française",
        "Parler, comprendre le français",
        False,
        themes=("lecture-ecriture-calcul--maitriser-le-francais",),
    ),
    Barrier(
        "confiance-remobilisation",
        10,
        "Confiance en soi, remobilisation",
        "Reprendre confiance, sortir de chez moi",
        False,
        categories=("remobilisation",),
    ),
    Barrier(
        "difficultes-administratives",
        11,
        "Difficultés administratives",
        "Mes papiers, mes droits, mes démarches",
        False,
        categories=("difficultes-administratives-ou-juridiques",),
    ),
)

BARRIERS_BY_CODE: dict[str, Barrier] = {b.code: b for b in BARRIERS}


def category_of(theme_code: str) -> str:
    """`mobilite--preparer-un-permis` → `mobilite`; a category code is its own category."""
    return theme_code.split(THEME_SEPARATOR, 1)[0]


def is_theme_code(code: str) -> bool:
    """Whether `code` has the shape of a data·inclusion v1 sub-theme code."""
    return bool(_THEME_CODE.match(code))


def is_category_code(code: str) -> bool:
    return bool(_CATEGORY_CODE.match(code)) and THEME_SEPARATOR not in code


def category_label(category: str) -> str:
    return THEME_CATEGORIES.get(category, category)


def theme_label(code: str, labels: dict[str, str] | None = None) -> str:
    """The label of a theme: the loaded referential's, ours, the category's for a category code, else the code."""
    if labels and code in labels:
        return labels[code]
    if code in KNOWN_THEMES:
        return KNOWN_THEMES[code]
    if THEME_SEPARATOR not in code:
        return category_label(code)
    return code


@dataclass(frozen=True)
class ThemeVocabulary:
    """The theme codes known to the platform: the loaded referential if any, else the categories alone.

    Without a loaded referential, any well-formed sub-theme of a known category is accepted (its label is then
    its code): the platform keeps working and shows proper labels once the referential is loaded.
    """

    #: sub-theme code → label, from the loaded referential (empty when none is loaded)
    sub_themes: dict[str, str]

    @property
    def loaded(self) -> bool:
        return bool(self.sub_themes)

    @property
    def categories(self) -> dict[str, str]:
        found = dict(THEME_CATEGORIES)
        for code in self.sub_themes:
            found.setdefault(category_of(code), category_of(code))
        return found

    def is_known(self, code: str) -> bool:
        if THEME_SEPARATOR not in code:
            return code in self.categories
        if self.loaded:
            return code in self.sub_themes
        return is_theme_code(code) and category_of(code) in THEME_CATEGORIES

    def label(self, code: str) -> str:
        return theme_label(code, self.sub_themes)

    def plain_label(self, code: str) -> str:
        """A label without codes, for the public: a sub-theme with no known label is shown as its category."""
        label = self.label(code)
        return self.categories.get(category_of(code), label) if label == code else label

    def describe(self, code: str) -> str:
        """The label, with its category when only the code is known ("Mobilité — mobilite--…")."""
        label = self.label(code)
        if label == code and THEME_SEPARATOR in code:
            return f"{self.categories.get(category_of(code), category_of(code))} — {code}"
        return label

    def grouped_choices(self, *, with_categories: bool = True) -> list[tuple[str, list[tuple[str, str]]]]:
        """[(category label, [(code, label), …]), …]: each category (as "the whole category") then its
        sub-themes, for select and checkbox lists."""
        by_category: dict[str, list[tuple[str, str]]] = {}
        for code, label in sorted(self.sub_themes.items(), key=lambda item: (fold(item[1]), item[0])):
            by_category.setdefault(category_of(code), []).append((code, label))
        if not self.loaded:
            for code, label in KNOWN_THEMES.items():
                by_category.setdefault(category_of(code), []).append((code, label))
        groups = []
        for category, label in sorted(self.categories.items(), key=lambda item: fold(item[1])):
            options = [(category, f"{label} (toute la thématique)")] if with_categories else []
            options += by_category.get(category, [])
            if options:
                groups.append((label, options))
        return groups


def barriers_for_themes(theme_codes: Iterable[str]) -> list[Barrier]:
    """The barriers a set of themes addresses, in the referential's order."""
    codes = list(theme_codes)
    return [b for b in BARRIERS if any(b.is_lifted_by(code) for code in codes)]


#: category → step it most often serves, used to propose a step when an imported service has none
_STEP_OF_CATEGORY: dict[str, str] = {
    "se-former": InsertionStep.FORMATION,
    "trouver-un-emploi": InsertionStep.MISE_EN_RELATION,
    "choisir-un-metier": InsertionStep.ORIENTATION,
    "preparer-sa-candidature": InsertionStep.ORIENTATION,
    "creer-une-entreprise": InsertionStep.ORIENTATION,
    "souvrir-a-linternational": InsertionStep.ORIENTATION,
    "remobilisation": InsertionStep.REPERAGE,
}
_STEP_PRIORITY = [
    InsertionStep.FORMATION,
    InsertionStep.MISE_EN_RELATION,
    InsertionStep.ORIENTATION,
    InsertionStep.REPERAGE,
    InsertionStep.LEVEE_FREINS,
]


def infer_step(theme_codes: Iterable[str]) -> str:
    """The step of the insertion chain a service's themes suggest ("" when they suggest none).

    Job, training and career themes win over the themes of barriers: a driving-licence course for job seekers
    is "levée des freins", a recruitment session with a mobility aid is "mise en relation".
    """
    found = set()
    for code in theme_codes:
        category = category_of(code)
        if category in _STEP_OF_CATEGORY:
            found.add(_STEP_OF_CATEGORY[category])
        elif category in THEME_CATEGORIES:
            found.add(InsertionStep.LEVEE_FREINS)
    for step in _STEP_PRIORITY:
        if step in found:
            return str(step)
    return ""


# --- Area served: codes of the Code officiel géographique --------------------------------------------------

_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DEPARTEMENT = re.compile(r"^(\d{2}|2[AB]|97\d)$")
_EPCI = re.compile(r"^\d{9}$")
_COUNTRY = re.compile(r"^99[0-5]\d{2}$")
FRANCE_CODES = frozenset({"france", "99100"})


class AreaCodeError(ValueError):
    pass


def parse_area_code(raw: str) -> tuple[str, str]:
    """(kind, code) of one code of `zone_eligibilite`; AreaCodeError with a French message otherwise."""
    code = (raw or "").strip()
    if code.lower() in FRANCE_CODES:
        return AreaKind.FRANCE, "france"
    upper = code.upper()
    if _EPCI.match(code):
        return AreaKind.EPCI, code
    if _COUNTRY.match(code):
        raise AreaCodeError(f"code de pays étranger « {code} » : seul 99100 (France) est accepté")
    if _COMMUNE.match(upper):
        return AreaKind.COMMUNE, upper
    if _DEPARTEMENT.match(upper):
        return AreaKind.DEPARTEMENT, upper
    raise AreaCodeError(
        f"code géographique « {code} » invalide (attendu : code INSEE de commune sur 5 caractères, "
        "département sur 2 ou 3, SIREN d'EPCI sur 9 chiffres, ou « france »)"
    )


def department_of_commune(insee_code: str) -> str:
    """The département code of a commune, as data·inclusion writes it: 80021 → 80, 2A004 → 2A, 97411 → 974."""
    code = insee_code.upper()
    return code[:3] if code.startswith("97") or code.startswith("98") else code[:2]


#: the barrier codes as a closed list of values (forms, API)
BarrierCode = models.TextChoices(  # type: ignore[misc,call-overload]
    "BarrierCode", [(b.code.upper().replace("-", "_"), (b.code, b.label)) for b in BARRIERS]
)
