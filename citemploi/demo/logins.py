"""The demo logins: one per role, all with the same documented password (docs/demo.md)."""

from dataclasses import dataclass

#: password of every demo user (demo data only: never load the demo on a production database)
DEMO_PASSWORD = "demo-citemploi-2026"


@dataclass(frozen=True)
class DemoLogin:
    persona: str
    title: str
    can: str


#: shown by `citemploi demo_logins`, in this order; `persona` is a key of `amiens.PERSONAS`
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "coordinator",
        "Coordinatrice de la cité",
        "administre la cité (QPV, partenaires, utilisateurs) et voit toutes les personnes suivies, "
        "sans leurs informations sensibles",
    ),
    DemoLogin(
        "referent_ft",
        "Référent France Travail (agence Amiens Nord)",
        "repère et suit les personnes de son agence : fiches, consentements, groupe de suivi ; "
        "voit les informations sensibles de ses propres accompagnés",
    ),
    DemoLogin(
        "referent_ml",
        "Référente de la Mission locale du Grand Amiénois",
        "suit les jeunes de la Mission locale (CEJ), avec les mêmes droits que tout référent de parcours",
    ),
    DemoLogin(
        "association",
        "Membre d'une association partenaire, aussi porteuse de projet",
        "voit les structures partenaires de la cité ; comme porteuse de projet, répond aux appels à projets "
        "(deux rôles : elle choisit celui avec lequel elle agit)",
    ),
    DemoLogin(
        "commission",
        "Membre de la commission (PLIE)",
        "examine les candidatures présentées en commission de cohorte, sans accès aux fiches",
    ),
    DemoLogin(
        "steering",
        "Membre du comité de pilotage (préfecture)",
        "tableaux de bord et décisions du copil : données agrégées uniquement, jamais une personne",
    ),
    DemoLogin(
        "reviewer",
        "Instructeur d'appel à projets (DDETS)",
        "instruit et note les dossiers de l'appel à projets",
    ),
    DemoLogin(
        "national",
        "Animatrice nationale (ANCT)",
        "voit les indicateurs agrégés de toutes les cités, jamais une personne",
    ),
)
