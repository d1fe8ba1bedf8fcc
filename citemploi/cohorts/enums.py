"""Vocabularies of the cohorts domain: states, decisions and reasons (small lists the product needs)."""

from django.db import models


class CohortState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Clôturée"


class MemberState(models.TextChoices):
    PROPOSED = "proposed", "Proposé·e"
    EXAMINED = "examined", "Examiné·e en commission"
    INTEGRATED = "integrated", "Intégré·e"
    WAITING = "waiting", "En attente (dans le viseur)"
    NOT_RETAINED = "not_retained", "Non retenu·e"
    EXITED = "exited", "Sorti·e"


#: states in which a membership still counts as the person's active one in the cohort
ACTIVE_STATES = frozenset(
    {MemberState.PROPOSED, MemberState.EXAMINED, MemberState.INTEGRATED, MemberState.WAITING}
)
#: states a candidate may be put on a commission's agenda from
AGENDA_STATES = frozenset({MemberState.PROPOSED, MemberState.WAITING})


class CommissionOutcome(models.TextChoices):
    """The commission's decision on one candidate."""

    INTEGRATED = "integrated", "Intégré·e"
    WAITING = "waiting", "En attente (dans le viseur)"
    NOT_RETAINED = "not_retained", "Non retenu·e"


class NotRetainedReason(models.TextChoices):
    CRITERIA = "criteria", "Ne correspond pas aux critères de la cohorte"
    FULL = "full", "Cohorte complète"
    OTHER_SCHEME = "other_scheme", "Un autre dispositif est plus adapté"
    NOT_READY = "not_ready", "Projet ou disponibilité à consolider"
    DECLINED = "declined", "La personne ne souhaite plus entrer"
    OTHER = "other", "Autre motif"


class ExitReason(models.TextChoices):
    SOLUTION = "solution", "Solution trouvée (emploi, formation…)"
    DROPPED_OUT = "dropped_out", "Abandon"
    MOVED = "moved", "Déménagement"
    NOT_ELIGIBLE = "not_eligible", "N'est plus éligible"
    OTHER = "other", "Autre motif"


class Scheme(models.TextChoices):
    """Rights and schemes a cohort may target (fields of the person's file)."""

    CEJ = "cej", "Contrat d'engagement jeune (CEJ)"
    RSA = "rsa", "RSA"
    ASS = "ass", "ASS"


class SessionStatus(models.TextChoices):
    PREPARING = "preparing", "En préparation"
    CLOSED = "closed", "Clôturée (décisions verrouillées)"
