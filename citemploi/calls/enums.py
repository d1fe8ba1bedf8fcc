"""Vocabularies of the calls for projects (appels à projets)."""

from django.db import models


class CallStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"
    CLOSED = "closed", "Clos"
    ARCHIVED = "archived", "Archivé"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    TO_COMPLETE = "to_complete", "À compléter"
    ADMISSIBLE = "admissible", "Recevable"
    NOT_ADMISSIBLE = "not_admissible", "Non recevable"
    UNDER_REVIEW = "under_review", "En instruction"
    PROPOSED = "proposed", "Proposé au comité de pilotage"
    SELECTED = "selected", "Retenu"
    POSTPONED = "postponed", "Ajourné"
    REFUSED = "refused", "Refusé"
    AGREEMENT_SIGNED = "agreement_signed", "Convention signée"
    RUNNING = "running", "En cours"
    REPORT_DUE = "report_due", "Bilan attendu"
    REPORT_SUBMITTED = "report_submitted", "Bilan déposé"
    REPORT_TO_CORRECT = "report_to_correct", "Bilan à corriger"
    CLOSED = "closed", "Clôturé"
    REIMBURSEMENT_REQUESTED = "reimbursement_requested", "Reversement demandé"
    WITHDRAWN = "withdrawn", "Retiré par le porteur"


#: statuses in which the holder may still change the file
EDITABLE_STATUSES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.TO_COMPLETE})

#: statuses from which the holder may withdraw their file (before the agreement is signed)
WITHDRAWABLE_STATUSES = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.TO_COMPLETE,
        ApplicationStatus.ADMISSIBLE,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.PROPOSED,
        ApplicationStatus.POSTPONED,
        ApplicationStatus.SELECTED,
    }
)

#: statuses of a funded action (agreement signed and after, reimbursement included)
FUNDED_STATUSES = frozenset(
    {
        ApplicationStatus.AGREEMENT_SIGNED,
        ApplicationStatus.RUNNING,
        ApplicationStatus.REPORT_DUE,
        ApplicationStatus.REPORT_SUBMITTED,
        ApplicationStatus.REPORT_TO_CORRECT,
        ApplicationStatus.CLOSED,
        ApplicationStatus.REIMBURSEMENT_REQUESTED,
    }
)

#: statuses from which a file was granted money (selected and later)
GRANTED_STATUSES = FUNDED_STATUSES | {ApplicationStatus.SELECTED}


class ReportStatus(models.TextChoices):
    TO_PRODUCE = "to_produce", "À produire"
    SUBMITTED = "submitted", "Déposé"
    TO_CORRECT = "to_correct", "À corriger"
    VALIDATED = "validated", "Validé"


class Severity(models.TextChoices):
    BLOCKING = "blocking", "Bloquante"
    WARNING = "warning", "Avertissement"


class Outcome(models.TextChoices):
    PASS = "pass", "Respectée"
    FAIL = "fail", "Non respectée"
    NOT_APPLICABLE = "not_applicable", "Sans objet"


class Theme(models.TextChoices):
    """Themes named by the seeds' calls (Amiens, Saint-Étienne) and the vadémécum's barriers."""

    MOBILITY = "mobility", "Mobilité"
    CHILDCARE = "childcare", "Modes de garde (enfants et ascendants)"
    JOB_RETENTION = "job_retention", "Maintien en emploi"
    LANGUAGE = "language", "Maîtrise du français"
    HEALTH = "health", "Santé"
    BUSINESS_LINKS = "business_links", "Rapprochement avec les entreprises"
    SELF_CONFIDENCE = "self_confidence", "Confiance en soi, lutte contre l'autocensure"
    HORS_RADAR = "hors_radar", "Repérage des publics « hors radar »"
    COMMUNICATION = "communication", "Communication des actions"
    DIGITAL = "digital", "Compétences numériques"
    BASIC_SKILLS = "basic_skills", "Savoirs de base"
    OTHER = "other", "Autre"


class DecisionOutcome(models.TextChoices):
    PENDING = "pending", "À décider"
    SELECTED = "selected", "Retenu"
    POSTPONED = "postponed", "Ajourné"
    REFUSED = "refused", "Refusé"


class SessionStatus(models.TextChoices):
    PREPARING = "preparing", "En préparation"
    LOCKED = "locked", "Séance close, décisions verrouillées"


class InstallmentKind(models.TextChoices):
    ADVANCE = "advance", "Avance à la signature"
    BALANCE = "balance", "Solde après validation du bilan"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "En cours"
    SUBMITTED = "submitted", "Transmise"


class ConflictStatus(models.TextChoices):
    UNDECLARED = "undeclared", "Déclaration attendue"
    NONE = "none", "Aucun conflit déclaré"
    CONFLICT = "conflict", "Conflit d'intérêts"
