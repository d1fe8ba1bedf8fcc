"""What the pathways domain holds about a person (barriers, plan, hand-overs), for people.lifecycle."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citemploi.core.context import ActingContext
from citemploi.pathways.models import (
    ActionTransition,
    BarrierRecord,
    BarrierTransition,
    HandOver,
    Objective,
    ObjectiveTransition,
    PlanAction,
)
from citemploi.people.lifecycle import PersonalDataHandler, latest_dates, register_personal_data
from citemploi.people.models import Beneficiary


def export(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    return {
        "freins": [
            {
                "frein": r.get_barrier_display(),
                "etat": r.get_state_display(),
                "identifie_le": r.identified_on,
                "commentaire": r.comment,
            }
            for r in BarrierRecord.objects.filter(beneficiary=b).order_by("identified_on", "id")
        ],
        "objectifs": [
            {"intitule": o.title, "etat": o.get_status_display(), "cree_le": o.created_at}
            for o in Objective.objects.filter(beneficiary=b).order_by("created_at", "id")
        ],
        "actions": [
            {"intitule": a.title, "etat": a.get_status_display(), "echeance": a.due_on}
            for a in PlanAction.objects.filter(beneficiary=b).order_by("created_at", "id")
        ],
        "passages_de_relais": [
            {
                "le": h.at,
                "de": h.from_structure.name,
                "vers": h.to_structure.name,
                "motif": h.reason,
                "consentement_le": h.consent_given_on,
            }
            for h in HandOver.objects.filter(beneficiary=b).select_related("from_structure", "to_structure")
        ],
    }


def anonymise(b: Beneficiary) -> int:
    """Comments, titles and reasons go; barrier codes, states and dates stay for the figures."""
    changed = BarrierRecord.objects.filter(beneficiary=b).update(comment="")
    changed += BarrierTransition.objects.filter(record__beneficiary=b).update(reason="")
    changed += Objective.objects.filter(beneficiary=b).update(title="Objectif anonymisé")
    changed += ObjectiveTransition.objects.filter(objective__beneficiary=b).update(reason="")
    changed += PlanAction.objects.filter(beneficiary=b).update(title="Action anonymisée")
    changed += ActionTransition.objects.filter(action__beneficiary=b).update(reason="")
    changed += HandOver.objects.filter(beneficiary=b).update(reason="Motif anonymisé")
    return changed


def erase(b: Beneficiary) -> int:
    deleted = PlanAction.objects.filter(beneficiary=b).delete()[0]
    deleted += Objective.objects.filter(beneficiary=b).delete()[0]
    deleted += BarrierRecord.objects.filter(beneficiary=b).delete()[0]
    deleted += HandOver.objects.filter(beneficiary=b).delete()[0]
    return deleted


def activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Barriers identified or changing state, objectives set, actions changing status, hand-overs."""
    rows: list[tuple[int, Any]] = []
    rows += BarrierRecord.objects.filter(beneficiary__in=people).values_list(
        "beneficiary_id", "state_changed_at"
    )
    rows += BarrierRecord.objects.filter(beneficiary__in=people).values_list(
        "beneficiary_id", "identified_on"
    )
    rows += Objective.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "created_at")
    rows += PlanAction.objects.filter(beneficiary__in=people).values_list(
        "beneficiary_id", "status_changed_at"
    )
    rows += HandOver.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "at")
    return latest_dates(rows)


register_personal_data(
    PersonalDataHandler(
        key="pathways",
        label="Freins, plan d'action et relais",
        export=export,
        anonymise=anonymise,
        erase=erase,
    )
)
