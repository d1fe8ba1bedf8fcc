"""The demo cité's offer of services: a realistic directory covering the barriers, for the public search."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from citemploi.core.context import ActingContext
from citemploi.offer import services as offer_services
from citemploi.partners.models import Structure

AMIENS = "80021"


@dataclass(frozen=True)
class ServiceSpec:
    structure: str
    name: str
    description: str
    nature: str
    step: str
    type: str
    themes: tuple[str, ...]
    publics: tuple[str, ...] = ("residents-qpv-frr",)
    prescribers: str = "Tout professionnel de l'accompagnement, ou la personne elle-même"
    capacity: int | None = None
    waiting_list: int | None = None
    modes: tuple[str, ...] = ("en-presentiel",)
    extra: dict = field(default_factory=dict)
    #: months since the last update (7 or more makes the service stale, for the coordinator's list)
    age_months: int = 1


SERVICES = [
    ServiceSpec(
        "asso_nord",
        "Auto-école sociale des quartiers Nord",
        "Préparation au code et à la conduite à tarif solidaire, sur prescription, avec un moniteur formé à l'accompagnement.",
        "aap",
        "levee_freins",
        "formation",
        ("mobilite--preparer-un-permis",),
        capacity=24,
        waiting_list=9,
    ),
    ServiceSpec(
        "metropole",
        "Plateforme mobilité Amiens Métropole",
        "Diagnostic mobilité, prêt de vélos à assistance électrique et accompagnement aux trajets bus + vélo vers les zones d'emploi.",
        "droit_commun",
        "levee_freins",
        "accompagnement",
        (
            "mobilite--etre-accompagne-dans-son-parcours-mobilite",
            "mobilite--mobilite-douce-partagee-collective",
        ),
    ),
    ServiceSpec(
        "ccas",
        "Garde d'enfants ponctuelle pour un entretien",
        "Une aide à domicile garde vos enfants (ou un parent dépendant) le temps d'un entretien, d'un stage, d'un concours ou d'une immersion.",
        "aap",
        "levee_freins",
        "aide-materielle",
        ("famille--garde-denfants", "famille--prise-en-charge-personne-dependante"),
        publics=("familles", "residents-qpv-frr"),
        capacity=40,
    ),
    ServiceSpec(
        "centre_social_nord",
        "Ateliers numériques du centre social",
        "Créer son adresse e-mail, accéder à son espace France Travail, déposer un CV en ligne : ateliers en petits groupes.",
        "specifique",
        "levee_freins",
        "atelier",
        ("numerique--maitriser-les-fondamentaux-du-numerique", "numerique--acceder-a-des-services-en-ligne"),
    ),
    ServiceSpec(
        "of_numerique",
        "Français à visée professionnelle",
        "Cours de français du niveau A1 au B1 tournés vers l'emploi : vocabulaire des métiers, entretien, consignes de sécurité.",
        "specifique",
        "formation",
        "formation",
        ("lecture-ecriture-calcul--maitriser-le-francais",),
        publics=("personnes-exilees", "residents-qpv-frr"),
        capacity=15,
        waiting_list=12,
    ),
    ServiceSpec(
        "asso_etouvie",
        "Savoirs de base à Etouvie",
        "Lire, écrire et compter au quotidien et au travail, à son rythme, avec des bénévoles formés.",
        "specifique",
        "levee_freins",
        "atelier",
        ("lecture-ecriture-calcul--maitriser-le-calcul", "lecture-ecriture-calcul--maitriser-le-francais"),
    ),
    ServiceSpec(
        "bailleur",
        "Accès au logement des jeunes actifs",
        "Information sur les logements accessibles, aide au dossier et à la garantie Visale pour les jeunes qui commencent un emploi.",
        "droit_commun",
        "levee_freins",
        "information",
        ("logement-hebergement--louer-un-logement",),
        publics=("jeunes", "actifs"),
    ),
    ServiceSpec(
        "ccas",
        "Point conseil budget",
        "Un conseiller vous aide à faire le point sur votre budget, à prévenir les impayés et à traiter une situation d'endettement.",
        "droit_commun",
        "levee_freins",
        "accompagnement",
        (
            "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
            "difficultes-financieres--situation-dendettement-surendettement",
        ),
    ),
    ServiceSpec(
        "departement",
        "Accompagnement santé vers l'emploi",
        "Un temps d'écoute et d'orientation vers les soins, et une aide au dossier MDPH ou RQTH quand la santé freine la reprise d'emploi.",
        "droit_commun",
        "levee_freins",
        "accompagnement",
        ("sante--acces-aux-soins", "sante--constituer-un-dossier-mdph-invalidite"),
    ),
    ServiceSpec(
        "asso_nord",
        "Groupe de parole confiance en soi",
        "Ateliers collectifs de remobilisation : prendre la parole, valoriser son parcours, reprendre confiance avant la recherche d'emploi.",
        "specifique",
        "reperage_mobilisation",
        "atelier",
        ("remobilisation--bien-etre-confiance-en-soi",),
    ),
    ServiceSpec(
        "ccas",
        "Permanence accès aux droits",
        "Aide aux démarches administratives : CAF, assurance maladie, titre de séjour, RSA ; sans rendez-vous le mardi.",
        "droit_commun",
        "levee_freins",
        "accompagnement",
        ("difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",),
        age_months=8,
    ),
    ServiceSpec(
        "club_paqte",
        "Parrainage par un salarié d'entreprise",
        "Un parrain ou une marraine d'une entreprise du club vous fait découvrir son réseau et vous prépare aux entretiens.",
        "specifique",
        "mise_en_relation",
        "accompagnement",
        ("preparer-sa-candidature--developper-son-reseau",),
        capacity=30,
    ),
    ServiceSpec(
        "ft_nord",
        "Accompagnement intensif des demandeurs d'emploi",
        "Un conseiller dédié, des rendez-vous réguliers et des mises en relation avec les employeurs du territoire.",
        "droit_commun",
        "orientation",
        "accompagnement",
        ("trouver-un-emploi--repondre-a-des-offres-demploi",),
        publics=("demandeurs-emploi",),
        prescribers="France Travail",
    ),
    ServiceSpec(
        "ml",
        "Contrat d'engagement jeune (CEJ)",
        "Pour les 16-25 ans : un accompagnement de 15 à 20 heures par semaine et une allocation, vers l'emploi ou la formation.",
        "droit_commun",
        "orientation",
        "accompagnement",
        (
            "choisir-un-metier--confirmer-son-choix-de-metier",
            "trouver-un-emploi--repondre-a-des-offres-demploi",
        ),
        publics=("jeunes",),
        prescribers="Mission locale, France Travail",
    ),
    ServiceSpec(
        "siae",
        "Chantier d'insertion espaces verts",
        "Un contrat de travail de 26 heures par semaine avec un accompagnement socioprofessionnel et une formation.",
        "droit_commun",
        "mise_en_relation",
        "accompagnement",
        ("trouver-un-emploi--maintien-dans-lemploi",),
        publics=("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
        capacity=18,
        waiting_list=4,
    ),
    ServiceSpec(
        "asso_etouvie",
        "Coaching maintien dans l'emploi",
        "Pour les femmes et les seniors qui viennent de reprendre un emploi ou une alternance : un coach pendant les six premiers mois.",
        "aap",
        "levee_freins",
        "accompagnement",
        ("trouver-un-emploi--maintien-dans-lemploi",),
        publics=("femmes", "seniors", "residents-qpv-frr"),
        capacity=20,
        age_months=9,
    ),
]


def create_demo_services(ctx: ActingContext, structures: dict[str, Structure], today: date) -> int:
    """Create the demo services through the offer's service (same checks and audit rows as the screens)."""
    for spec in SERVICES:
        structure = structures[spec.structure]
        offer_services.create_service(
            ctx=ctx,
            structure=structure,
            data={
                "name": spec.name,
                "description": spec.description,
                "nature": spec.nature,
                "step": spec.step,
                "type": spec.type,
                "prescribers": spec.prescribers,
                "email": structure.email,
                "phone": structure.phone,
                "address": structure.address,
                "postcode": "80000",
                "city": "Amiens",
                "insee_code": AMIENS,
                "modes_accueil": list(spec.modes),
                "capacity": spec.capacity,
                "waiting_list": spec.waiting_list,
                "published": True,
                **spec.extra,
            },
            themes=spec.themes,
            publics=spec.publics,
            areas=[AMIENS],
            today=today - timedelta(days=30 * spec.age_months),
        )
    return len(SERVICES)
