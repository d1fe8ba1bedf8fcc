"""Vocabularies of the partnership domain: instances, roadmap, events, employers."""

from django.db import models


class CommitteeKind(models.TextChoices):
    COPIL = "copil", "Comité de pilotage (Copil)"
    COTECH = "cotech", "Comité technique (Cotech)"
    COMMISSION = "commission", "Commission des partenaires"
    WORKING_GROUP = "working_group", "Groupe de travail"


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", "Président·e / co-pilote"
    MEMBER = "member", "Membre"
    SECRETARY = "secretary", "Secrétariat"
    GUEST = "guest", "Invité·e permanent·e"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent·e"
    EXCUSED = "excused", "Excusé·e"
    ABSENT = "absent", "Absent·e"


class Stake(models.TextChoices):
    """The three stakes (enjeux) of a cité de l'emploi (domain.md §1)."""

    COOPERATION = "cooperation", "Enjeu 1 — Coopération des acteurs"
    DROIT_COMMUN = "droit_commun", "Enjeu 2 — Accès au droit commun"
    SPECIFIC_OFFER = "specific_offer", "Enjeu 3 — Offre spécifique pour les besoins non couverts"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    IN_PROGRESS = "in_progress", "En cours"
    ON_HOLD = "on_hold", "Suspendue"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


#: status → statuses it may move to. Leaving "done" or "abandoned" reopens the action.
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.PLANNED: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.ABANDONED}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.DONE, ActionStatus.ON_HOLD, ActionStatus.ABANDONED}),
    ActionStatus.ON_HOLD: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.ABANDONED}),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.ABANDONED: frozenset({ActionStatus.PLANNED}),
}

#: moves that must say why (suspending, abandoning, reopening)
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {
        (ActionStatus.IN_PROGRESS, ActionStatus.ON_HOLD),
        (ActionStatus.PLANNED, ActionStatus.ABANDONED),
        (ActionStatus.IN_PROGRESS, ActionStatus.ABANDONED),
        (ActionStatus.ON_HOLD, ActionStatus.ABANDONED),
        (ActionStatus.DONE, ActionStatus.IN_PROGRESS),
        (ActionStatus.ABANDONED, ActionStatus.PLANNED),
    }
)

#: French verbs shown on the buttons of each move
TRANSITION_LABELS: dict[str, str] = {
    ActionStatus.PLANNED: "Remettre en prévision",
    ActionStatus.IN_PROGRESS: "Démarrer / reprendre",
    ActionStatus.ON_HOLD: "Suspendre",
    ActionStatus.DONE: "Marquer comme réalisée",
    ActionStatus.ABANDONED: "Abandonner",
}


class EventKind(models.TextChoices):
    JOB_DATING = "job_dating", "Job dating"
    FORUM = "forum", "Forum emploi"
    CAFE_EMPLOI = "cafe_emploi", "Café emploi"
    PERMANENCE = "permanence", "Permanence emploi itinérante"
    WORKSHOP = "workshop", "Atelier"
    COMPANY_VISIT = "company_visit", "Visite d'entreprise"
    RALLY = "rally", "Rallye emploi"
    DISCUSSION_GROUP = "discussion_group", "Groupe de parole (parents…)"
    OTHER = "other", "Autre action d'aller-vers"


class EventRole(models.TextChoices):
    ORGANISER = "organiser", "Organisateur"
    PARTNER = "partner", "Partenaire"


class EngagementFrame(models.TextChoices):
    """How a company is engaged with the cité."""

    CLUB = "club", "Club d'entreprises de la cité"
    PAQTE = "paqte", "PaQte (Pacte avec les quartiers pour toutes les entreprises)"
    FACE = "face", "Fondation FACE"
    LES_ENTREPRISES_S_ENGAGENT = "lese", "Les entreprises s'engagent"
    CHARTER = "charter", "Charte locale d'engagement"
    OTHER = "other", "Autre engagement"


class EmployerOfferKind(models.TextChoices):
    COMPANY_VISIT = "company_visit", "Visites d'entreprise"
    IMMERSION = "immersion", "Immersions (PMSMP)"
    MENTORING = "mentoring", "Parrainage / mentorat"
    JOB_OFFER = "job_offer", "Offres d'emploi"
    RECRUITMENT_SESSION = "recruitment_session", "Sessions de recrutement"
    APPRENTICESHIP = "apprenticeship", "Alternance / apprentissage"
    OTHER = "other", "Autre"


class CompanySize(models.TextChoices):
    MICRO = "micro", "Moins de 10 salarié·es"
    SMALL = "small", "10 à 49 salarié·es"
    MEDIUM = "medium", "50 à 249 salarié·es"
    LARGE = "large", "250 salarié·es et plus"
    UNKNOWN = "unknown", "Non renseigné"
