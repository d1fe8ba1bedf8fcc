"""Closed lists of values of the pathways domain."""

from django.db import models


class BarrierSeverity(models.TextChoices):
    LOW = "low", "Faible"
    MEDIUM = "medium", "Moyenne"
    HIGH = "high", "Forte"


class BarrierSource(models.TextChoices):
    INTERVIEW = "interview", "Entretien avec la personne"
    PARTNER = "partner", "Signalement d'un partenaire"
    SELF_ASSESSMENT = "self_assessment", "Auto-évaluation de la personne"
    TEST = "test", "Test ou outil de positionnement"
    OTHER = "other", "Autre"


class BarrierState(models.TextChoices):
    IDENTIFIED = "identified", "Identifié"
    ACTION_ENGAGED = "action_engaged", "Action engagée"
    LIFTED = "lifted", "Levé"
    PERSISTING = "persisting", "Persistant"
    NOT_ADDRESSED = "not_addressed", "Non traité"


#: the life cycle of a barrier: identified → action engaged → lifted / persisting / not addressed
BARRIER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    BarrierState.IDENTIFIED: (BarrierState.ACTION_ENGAGED, BarrierState.LIFTED, BarrierState.NOT_ADDRESSED),
    BarrierState.ACTION_ENGAGED: (BarrierState.LIFTED, BarrierState.PERSISTING, BarrierState.NOT_ADDRESSED),
    BarrierState.PERSISTING: (BarrierState.ACTION_ENGAGED, BarrierState.LIFTED, BarrierState.NOT_ADDRESSED),
    BarrierState.NOT_ADDRESSED: (BarrierState.ACTION_ENGAGED, BarrierState.LIFTED),
    # a lifted barrier that comes back is identified again
    BarrierState.LIFTED: (BarrierState.IDENTIFIED,),
}

#: a barrier is open until it is lifted
OPEN_BARRIER_STATES = (
    BarrierState.IDENTIFIED,
    BarrierState.ACTION_ENGAGED,
    BarrierState.PERSISTING,
    BarrierState.NOT_ADDRESSED,
)


class PlanObjectiveStatus(models.TextChoices):
    OPEN = "open", "En cours"
    ACHIEVED = "achieved", "Atteint"
    ABANDONED = "abandoned", "Abandonné"


OBJECTIVE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PlanObjectiveStatus.OPEN: (PlanObjectiveStatus.ACHIEVED, PlanObjectiveStatus.ABANDONED),
    PlanObjectiveStatus.ACHIEVED: (PlanObjectiveStatus.OPEN,),
    PlanObjectiveStatus.ABANDONED: (PlanObjectiveStatus.OPEN,),
}


class PlanActionStatus(models.TextChoices):
    TODO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Faite"
    CANCELLED = "cancelled", "Annulée"


ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PlanActionStatus.TODO: (PlanActionStatus.IN_PROGRESS, PlanActionStatus.DONE, PlanActionStatus.CANCELLED),
    PlanActionStatus.IN_PROGRESS: (PlanActionStatus.DONE, PlanActionStatus.CANCELLED, PlanActionStatus.TODO),
    PlanActionStatus.DONE: (PlanActionStatus.IN_PROGRESS,),
    PlanActionStatus.CANCELLED: (PlanActionStatus.TODO,),
}

#: an action in one of these states whose due date has passed is overdue
PENDING_ACTION_STATUSES = (PlanActionStatus.TODO, PlanActionStatus.IN_PROGRESS)
