"""The budget table of an application, after the structure of CERFA n° 12156 (« budget du projet »).

Charges: accounts 60 to 68, the indirect charges charged to the project, and 86 (uses of voluntary
contributions in kind). Resources: 70 to 79, the holder's own resources, and 87 (voluntary contributions
in kind). Line 74 (operating grants) is broken down by funder: each entry of a 74 line carries the funder's
name as the grants portal spells it, e.g. « 80 – ETAT – POLITIQUE VILLE » (80 = Somme).

The final financial report (CERFA n° 15059) compares the same lines, planned against actual.
This catalogue is the platform's own data, written from the public CERFA structure.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Side = Literal["charges", "resources"]


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    post: str


@dataclass(frozen=True)
class Post:
    code: str
    label: str
    side: Side
    lines: tuple[Line, ...]
    #: contributions in kind (86 and 87): shown apart, outside the eligible costs
    in_kind: bool = False
    #: entries of this post name a funder (line 74)
    by_funder: bool = False


def _post(code: str, label: str, side: Side, lines: list[tuple[str, str]], **kw: bool) -> Post:
    return Post(code, label, side, tuple(Line(c, lab, code) for c, lab in lines), **kw)


POSTS: tuple[Post, ...] = (
    _post("60", "60 – Achats", "charges", [
        ("604", "Prestations de services"),
        ("601", "Achats de matières et fournitures"),
        ("60x", "Autres fournitures"),
    ]),
    _post("61", "61 – Services extérieurs", "charges", [
        ("613", "Locations"),
        ("615", "Entretien et réparation"),
        ("616", "Assurances"),
        ("618", "Documentation"),
    ]),
    _post("62", "62 – Autres services extérieurs", "charges", [
        ("622", "Rémunérations intermédiaires et honoraires"),
        ("623", "Publicité, publications"),
        ("625", "Déplacements, missions"),
        ("62x", "Services bancaires, autres"),
    ]),
    _post("63", "63 – Impôts et taxes", "charges", [
        ("631", "Impôts et taxes sur rémunérations"),
        ("635", "Autres impôts et taxes"),
    ]),
    _post("64", "64 – Charges de personnel", "charges", [
        ("641", "Rémunération des personnels"),
        ("645", "Charges sociales"),
        ("647", "Autres charges de personnel"),
    ]),
    _post("65", "65 – Autres charges de gestion courante", "charges", [("65x", "Autres charges de gestion courante")]),
    _post("66", "66 – Charges financières", "charges", [("66x", "Charges financières")]),
    _post("67", "67 – Charges exceptionnelles", "charges", [("67x", "Charges exceptionnelles")]),
    _post("68", "68 – Dotation aux amortissements", "charges", [("68x", "Dotation aux amortissements")]),
    _post("CHARGINDIRECT", "Charges indirectes affectées au projet", "charges", [
        ("chgfixe", "Charges fixes de fonctionnement"),
        ("fraisfin", "Frais financiers"),
        ("autchgindirect", "Autres charges indirectes"),
    ]),
    _post("86", "86 – Emplois des contributions volontaires en nature", "charges", [
        ("860", "Secours en nature"),
        ("861", "Mise à disposition gratuite de biens et services"),
        ("862", "Prestations"),
        ("864", "Personnel bénévole"),
    ], in_kind=True),
    _post("70", "70 – Ventes de produits finis, de marchandises, prestations de services", "resources", [
        ("70x", "Ventes de produits finis, de marchandises, prestations de services"),
    ]),
    _post("73", "73 – Dotations et produits de tarification", "resources", [
        ("73x", "Dotations et produits de tarification"),
    ]),
    _post("74", "74 – Subventions d'exploitation", "resources", [
        ("74etat", "État (ministère, direction ou service déconcentré sollicité)"),
        ("74region", "Conseil(s) régional(aux)"),
        ("74dep", "Conseil(s) départemental(aux)"),
        ("74epci", "Intercommunalité(s) : EPCI"),
        ("74com", "Commune(s)"),
        ("74orgasoc", "Organismes sociaux (CAF, etc.)"),
        ("74fe", "Fonds européens (FSE, FEDER, etc.)"),
        ("74agenceserv", "Agence de services et de paiement (emplois aidés)"),
        ("74x", "Autres établissements publics"),
        ("74aidespriv", "Aides privées (fondations)"),
    ], by_funder=True),
    _post("75", "75 – Autres produits de gestion courante", "resources", [
        ("756", "Cotisations"),
        ("758", "Dons manuels, mécénat"),
        ("750", "Autres produits de gestion courante"),
    ]),
    _post("76", "76 – Produits financiers", "resources", [("76x", "Produits financiers")]),
    _post("77", "77 – Produits exceptionnels", "resources", [("77x", "Produits exceptionnels")]),
    _post("78", "78 – Reprises sur amortissements et provisions", "resources", [
        ("78x", "Report de ressources affectées et non utilisées des exercices antérieurs"),
    ]),
    _post("79", "79 – Transferts de charges", "resources", [("79x", "Transferts de charges")]),
    _post("RESSPROPRES", "Ressources propres affectées au projet", "resources", [
        ("insufprevisionnel", "Autofinancement (insuffisance prévisionnelle)"),
    ]),
    _post("87", "87 – Contributions volontaires en nature", "resources", [
        ("870", "Bénévolat"),
        ("871", "Prestations en nature"),
        ("875", "Dons en nature"),
    ], in_kind=True),
)  # fmt: skip

POSTS_BY_CODE: dict[str, Post] = {p.code: p for p in POSTS}
LINES: dict[str, Line] = {line.code: line for p in POSTS for line in p.lines}
LINE_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    (p.label, [(line.code, f"{line.code} – {line.label}") for line in p.lines]) for p in POSTS
]

#: account 74 line under which the State's politique de la ville funding is asked
STATE_LINE = "74etat"


def post_of(line_code: str) -> Post:
    return POSTS_BY_CODE[LINES[line_code].post]


def side_of(line_code: str) -> Side:
    return post_of(line_code).side


def is_known(line_code: str) -> bool:
    return line_code in LINES


@dataclass(frozen=True)
class Entry:
    """One amount of a budget: a line of the catalogue, an optional detail (the funder for line 74)."""

    line: str
    amount: Decimal
    label: str = ""


@dataclass(frozen=True)
class Totals:
    charges: Decimal
    resources: Decimal
    #: charges without contributions in kind (86)
    direct_charges: Decimal
    in_kind_charges: Decimal
    in_kind_resources: Decimal
    by_post: dict[str, Decimal]

    @property
    def balance(self) -> Decimal:
        """Resources minus charges: zero when the budget is balanced."""
        return self.resources - self.charges

    @property
    def balanced(self) -> bool:
        return self.balance == 0


def totals(entries: list[Entry]) -> Totals:
    by_post: dict[str, Decimal] = {p.code: Decimal(0) for p in POSTS}
    for e in entries:
        by_post[LINES[e.line].post] += e.amount
    charges = sum((v for k, v in by_post.items() if POSTS_BY_CODE[k].side == "charges"), Decimal(0))
    resources = sum((v for k, v in by_post.items() if POSTS_BY_CODE[k].side == "resources"), Decimal(0))
    return Totals(
        charges=charges,
        resources=resources,
        direct_charges=charges - by_post["86"],
        in_kind_charges=by_post["86"],
        in_kind_resources=by_post["87"],
        by_post=by_post,
    )


def normalise_funder(label: str) -> str:
    """A funder's name compared without case, spaces or kind of dash: « 80 – ETAT – POLITIQUE VILLE »,
    « 80-Etat-Politique ville » and « 80 - ETAT - POLITIQUE-VILLE » are the same funder."""
    import unicodedata

    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().upper()
    for dash in ("-", "_"):
        text = text.replace(dash, " ")
    return " ".join(text.split())
