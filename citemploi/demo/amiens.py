"""The demo territory: the cité de l'emploi of Amiens Métropole (labelled on 10 July 2021).

Embedded here so that the product runs on a fresh clone. Public bodies keep their real names; associations,
companies and every person are fictitious, and so are the addresses (plausible street names of Amiens),
the e-mail addresses (example.org / example.com) and the phone numbers (ARCEP ranges kept for fiction).
"""

from dataclasses import dataclass, field
from datetime import date

from citemploi.core.policy import Role
from citemploi.partners.enums import CooperationFormat, RoleInCite, StructureKind

CITE_SLUG = "amiens-metropole"
CITE_NAME = "Amiens Métropole"
LABEL_DATE = date(2021, 7, 10)
COPILOTS = "Préfecture de la Somme / Amiens Métropole"
EPCI_SIREN = "248000531"

COMMUNE_INSEE = "80021"
COMMUNE_NAME = "Amiens"
DEPARTMENT = "080"

#: the six QPV of the cité (2024 list), all in Amiens
QPVS: tuple[tuple[str, str], ...] = (
    ("QN08001M", "Etouvie"),
    ("QN08002M", "Pierre Rollin"),
    ("QN08003M", "Amiens Nord"),
    ("QN08004M", "Marcel Paul - Salamandre"),
    ("QN08005M", "Condorcet - Philéas Lebesgue"),
    ("QN08006M", "Les Parcheminiers"),
)


@dataclass(frozen=True)
class Neighbourhood:
    """Where people live: a QPV (None: elsewhere in Amiens), its share of the people, streets, postcode."""

    qpv_code: str | None
    weight: float
    postcode: str
    streets: tuple[str, ...]


NEIGHBOURHOODS: tuple[Neighbourhood, ...] = (
    Neighbourhood(
        "QN08003M",
        0.32,
        "80080",
        (
            "avenue de la Paix",
            "rue du Colvert",
            "rue Fafet",
            "boulevard de Roubaix",
            "place du Pigeonnier",
            "rue Édouard Lucas",
            "allée des Peupliers",
        ),
    ),
    Neighbourhood(
        "QN08001M",
        0.18,
        "80080",
        ("avenue du Languedoc", "rue du Berry", "rue de Champagne", "rue du Béarn", "place du Pays d'Auge"),
    ),
    Neighbourhood(
        "QN08002M",
        0.08,
        "80000",
        ("rue Pierre Rollin", "rue Jean Moulin", "allée des Tilleuls", "rue des Lilas"),
    ),
    Neighbourhood(
        "QN08004M",
        0.14,
        "80000",
        ("rue Marcel Paul", "rue de la Salamandre", "rue Henri Barbusse", "allée des Marronniers"),
    ),
    Neighbourhood(
        "QN08005M",
        0.16,
        "80090",
        ("rue Condorcet", "rue Philéas Lebesgue", "rue Jules Ferry", "allée des Acacias", "rue Lamartine"),
    ),
    Neighbourhood(
        "QN08006M", 0.06, "80090", ("rue des Parcheminiers", "rue des Teinturiers", "impasse des Tisserands")
    ),
    Neighbourhood(
        None,
        0.06,
        "80000",
        (
            "rue des Jacobins",
            "rue de Beauvais",
            "rue Gresset",
            "boulevard d'Alsace-Lorraine",
            "rue Saint-Leu",
        ),
    ),
)

K = StructureKind
R = RoleInCite
C = CooperationFormat
ALL_QPV: tuple[str, ...] = tuple(code for code, _ in QPVS)


@dataclass(frozen=True)
class StructureSpec:
    key: str
    name: str
    kind: str
    role: str
    cooperation: str
    address: str
    #: QPV where the structure acts (its partnership); the whole cité by default
    qpvs: tuple[str, ...] = ALL_QPV
    sensitive: bool = False
    since: date = LABEL_DATE


STRUCTURES: tuple[StructureSpec, ...] = (
    StructureSpec(
        "ft_nord",
        "France Travail Amiens Nord",
        K.FRANCE_TRAVAIL,
        R.SPE,
        C.COPRODUCTION,
        "12 avenue de la Paix",
        ("QN08003M",),
    ),
    StructureSpec(
        "ft_sud_est",
        "France Travail Amiens Sud-Est",
        K.FRANCE_TRAVAIL,
        R.SPE,
        C.COPRODUCTION,
        "40 rue Philéas Lebesgue",
        ("QN08002M", "QN08004M", "QN08005M", "QN08006M"),
    ),
    StructureSpec(
        "ft_ouest",
        "France Travail Amiens Ouest",
        K.FRANCE_TRAVAIL,
        R.SPE,
        C.COORDINATION,
        "3 avenue du Languedoc",
        ("QN08001M",),
    ),
    StructureSpec(
        "cap_emploi", "Cap emploi de la Somme", K.CAP_EMPLOI, R.SPE, C.COORDINATION, "8 rue Gresset"
    ),
    StructureSpec(
        "ml",
        "Mission locale insertion emploi du Grand Amiénois",
        K.MISSION_LOCALE,
        R.SPE,
        C.COPRODUCTION,
        "15 rue des Jacobins",
    ),
    StructureSpec("plie", "PLIE d'Amiens Métropole", K.PLIE, R.SUPPORT, C.COPRODUCTION, "20 rue de Beauvais"),
    StructureSpec(
        "departement",
        "Département de la Somme — direction de l'insertion",
        K.DEPARTEMENT,
        R.FUNDER,
        C.COORDINATION,
        "43 rue de la République",
    ),
    StructureSpec(
        "region",
        "Région Hauts-de-France — Proch'Emploi",
        K.REGION,
        R.FUNDER,
        C.CONCERTATION,
        "5 boulevard d'Alsace-Lorraine",
    ),
    StructureSpec(
        "prefecture",
        "Préfecture de la Somme — délégation du préfet à la politique de la ville",
        K.STATE,
        R.COPILOT,
        C.COPRODUCTION,
        "51 rue de la République",
    ),
    StructureSpec("ddets", "DDETS de la Somme", K.STATE, R.FUNDER, C.COORDINATION, "2 rue Saint-Leu"),
    StructureSpec(
        "metropole",
        "Amiens Métropole — direction de la politique de la ville",
        K.COMMUNE_EPCI,
        R.COPILOT,
        C.COPRODUCTION,
        "1 place de l'Hôtel de Ville",
    ),
    StructureSpec(
        "ccas",
        "CCAS d'Amiens",
        K.CCAS,
        R.BARRIERS,
        C.COORDINATION,
        "9 rue des Jacobins",
        since=date(2021, 10, 1),
    ),
    StructureSpec(
        "bailleur",
        "Amiens Habitat",
        K.SOCIAL_LANDLORD,
        R.REFERRER,
        C.CONCERTATION,
        "2 rue Lamartine",
        since=date(2022, 1, 15),
    ),
    StructureSpec(
        "asso_nord",
        "Association Femmes relais d'Amiens Nord",
        K.ASSOCIATION,
        R.REFERRER,
        C.COPRODUCTION,
        "6 place du Pigeonnier",
        ("QN08003M",),
        since=date(2021, 11, 4),
    ),
    StructureSpec(
        "asso_etouvie",
        "Association Etouvie Solidarités",
        K.ASSOCIATION,
        R.REFERRER,
        C.COORDINATION,
        "18 rue du Berry",
        ("QN08001M",),
        since=date(2022, 3, 8),
    ),
    StructureSpec(
        "centre_social_nord",
        "Centre social et culturel d'Amiens Nord",
        K.SOCIAL_CENTRE,
        R.BARRIERS,
        C.COORDINATION,
        "30 rue Fafet",
        ("QN08003M",),
    ),
    StructureSpec(
        "centre_social_sud_est",
        "Centre social Salamandre – Condorcet",
        K.SOCIAL_CENTRE,
        R.BARRIERS,
        C.CONCERTATION,
        "11 rue de la Salamandre",
        ("QN08004M", "QN08005M", "QN08006M", "QN08002M"),
        since=date(2022, 2, 1),
    ),
    StructureSpec(
        "e2c",
        "École de la deuxième chance de la Somme",
        K.TRAINING,
        R.TRAINING,
        C.COORDINATION,
        "24 rue Jules Ferry",
        since=date(2022, 5, 12),
    ),
    StructureSpec(
        "of_numerique",
        "Atelier numérique picard (organisme de formation)",
        K.TRAINING,
        R.TRAINING,
        C.CONCERTATION,
        "7 rue des Lilas",
        since=date(2023, 1, 10),
    ),
    StructureSpec(
        "siae",
        "Chantier d'insertion Les Hortillons solidaires",
        K.SIAE,
        R.EMPLOYER,
        C.COORDINATION,
        "52 rue des Teinturiers",
        since=date(2022, 9, 1),
    ),
    StructureSpec(
        "club_paqte",
        "Club d'entreprises PaQte d'Amiens Métropole",
        K.EMPLOYER,
        R.EMPLOYER,
        C.CONCERTATION,
        "3 rue de Beauvais",
        since=date(2022, 6, 20),
    ),
    StructureSpec(
        "cci",
        "CCI Amiens-Picardie",
        K.CCI_CMA,
        R.EMPLOYER,
        C.CONCERTATION,
        "6 boulevard de Belfort",
        since=date(2022, 6, 20),
    ),
    StructureSpec(
        "conseil_citoyen",
        "Conseil citoyen d'Amiens Nord",
        K.CITIZENS,
        R.OTHER,
        C.CONCERTATION,
        "30 rue Fafet",
        ("QN08003M",),
        since=date(2022, 4, 2),
    ),
    StructureSpec(
        "spip",
        "SPIP de la Somme",
        K.JUSTICE,
        R.SUPPORT,
        C.CONCERTATION,
        "14 rue Gresset",
        sensitive=True,
        since=date(2022, 10, 3),
    ),
    StructureSpec(
        "csapa",
        "CSAPA d'Amiens (addictologie)",
        K.HEALTH_SOCIAL,
        R.BARRIERS,
        C.CONCERTATION,
        "21 rue Saint-Leu",
        sensitive=True,
        since=date(2023, 2, 6),
    ),
)


@dataclass(frozen=True)
class PersonaSpec:
    """A demo user and their memberships: (role, structure key or None)."""

    key: str
    email: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str | None], ...] = field(default_factory=tuple)


#: one login per role (see docs/demo.md and `citemploi demo_logins`), then extra référents
PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec("coordinator", "coordination@example.org", "Claire", "Vasseur", ((Role.COORDINATOR, None),)),
    PersonaSpec(
        "referent_ft",
        "referent.francetravail@example.org",
        "Karim",
        "Lefebvre",
        ((Role.REFERENT, "ft_nord"),),
    ),
    PersonaSpec(
        "referent_ml", "referent.missionlocale@example.org", "Sophie", "Dumont", ((Role.REFERENT, "ml"),)
    ),
    PersonaSpec(
        "association",
        "membre.association@example.org",
        "Aminata",
        "Diallo",
        ((Role.PARTNER_MEMBER, "asso_nord"), (Role.HOLDER, "asso_nord")),
    ),
    PersonaSpec(
        "commission", "commission@example.org", "Julien", "Caron", ((Role.COMMISSION_MEMBER, "plie"),)
    ),
    PersonaSpec("steering", "copil@example.org", "Isabelle", "Moreau", ((Role.STEERING, "prefecture"),)),
    PersonaSpec("reviewer", "instruction@example.org", "Thomas", "Lemaire", ((Role.REVIEWER, "ddets"),)),
    PersonaSpec("national", "anct@example.org", "Nadia", "Benali", ((Role.NATIONAL, None),)),
    # Extra référents: every structure that follows people has one.
    PersonaSpec(
        "ref_ft_sud_est",
        "referent.ft-sud-est@example.org",
        "Pauline",
        "Boucher",
        ((Role.REFERENT, "ft_sud_est"),),
    ),
    PersonaSpec(
        "ref_ft_ouest", "referent.ft-ouest@example.org", "Mehdi", "Haddad", ((Role.REFERENT, "ft_ouest"),)
    ),
    PersonaSpec(
        "ref_ml_2", "referent2.missionlocale@example.org", "Lucas", "Delattre", ((Role.REFERENT, "ml"),)
    ),
    PersonaSpec(
        "ref_cap_emploi",
        "referent.capemploi@example.org",
        "Nathalie",
        "Vermeulen",
        ((Role.REFERENT, "cap_emploi"),),
    ),
    PersonaSpec("ref_plie", "referent.plie@example.org", "Fatoumata", "Traoré", ((Role.REFERENT, "plie"),)),
    PersonaSpec(
        "ref_departement", "referent.rsa@example.org", "Émilie", "Dupont", ((Role.REFERENT, "departement"),)
    ),
    PersonaSpec("ref_ccas", "referent.ccas@example.org", "Olivier", "Mercier", ((Role.REFERENT, "ccas"),)),
    PersonaSpec(
        "ref_centre_social",
        "referent.centresocial@example.org",
        "Yasmine",
        "Bensaïd",
        ((Role.REFERENT, "centre_social_nord"),),
    ),
    PersonaSpec("ref_siae", "referent.siae@example.org", "Antoine", "Leroy", ((Role.REFERENT, "siae"),)),
    PersonaSpec("ref_spip", "referent.spip@example.org", "Hélène", "Fournier", ((Role.REFERENT, "spip"),)),
    PersonaSpec("ref_csapa", "referent.csapa@example.org", "David", "Petit", ((Role.REFERENT, "csapa"),)),
    PersonaSpec(
        "member_ft",
        "conseiller.francetravail@example.org",
        "Marc",
        "Dubois",
        ((Role.PARTNER_MEMBER, "ft_nord"),),
    ),
)
