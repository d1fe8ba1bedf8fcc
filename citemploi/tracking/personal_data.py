"""What the tracking domain holds about a person (journal, outcomes, checks), for people.lifecycle."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citemploi.core.context import ActingContext
from citemploi.people.lifecycle import PersonalDataHandler, latest_dates, register_personal_data
from citemploi.people.models import Beneficiary
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome


def export(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    journal = []
    for e in JournalEntry.objects.filter(beneficiary=b).order_by("occurred_on", "id"):
        # Private notes are their author's working notes, never exported (not even to their author).
        row: dict[str, Any] = {
            "date": e.occurred_on,
            "type": e.get_kind_display(),
            "compte_rendu": e.text,
            "corrige": e.corrects_id,
        }
        journal.append(row)
    outcomes = [
        {
            "date": o.outcome_on,
            "type": o.get_type_display(),
            "employeur": o.employer,
            "contrat": o.get_contract_type_display() if o.contract_type else "",
            "duree_mois": o.contract_months,
            "points_de_suivi": [
                {
                    "echeance_mois": c.months,
                    "fait_le": c.recorded_on,
                    "toujours_en_emploi_ou_formation": c.still_in_job_or_training,
                    "commentaire": c.comment,
                }
                for c in o.checks.order_by("months", "id")
            ],
        }
        for o in Outcome.objects.filter(beneficiary=b).prefetch_related("checks").order_by("outcome_on", "id")
    ]
    return {"journal": journal, "sorties": outcomes}


def anonymise(b: Beneficiary) -> int:
    """Texts go; kinds, dates, outcome types, contract types and check answers stay for the figures."""
    changed = JournalEntry.objects.filter(beneficiary=b).update(text="", private_note="")
    changed += Outcome.objects.filter(beneficiary=b).update(employer="")
    changed += FollowUpCheck.objects.filter(outcome__beneficiary=b).update(comment="")
    return changed


def erase(b: Beneficiary) -> int:
    # Corrections point to the entries they correct (PROTECT): delete the corrections first.
    entries = JournalEntry.objects.filter(beneficiary=b)
    deleted = entries.filter(corrects__isnull=False).delete()[0]
    deleted += entries.delete()[0]
    deleted += Outcome.objects.filter(beneficiary=b).delete()[0]
    return deleted


def activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Journal entries (date written and date of the fact), outcomes and checks recorded."""
    rows: list[tuple[int, Any]] = []
    rows += JournalEntry.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "occurred_on")
    rows += JournalEntry.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "created_at")
    rows += Outcome.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "outcome_on")
    rows += Outcome.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "recorded_at")
    rows += FollowUpCheck.objects.filter(outcome__beneficiary__in=people).values_list(
        "outcome__beneficiary_id", "recorded_on"
    )
    return latest_dates(rows)


def exits(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """An outcome is the person's exit from the pathway, on its date."""
    return latest_dates(
        Outcome.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "outcome_on")
    )


register_personal_data(
    PersonalDataHandler(
        key="tracking",
        label="Journal et sorties",
        export=export,
        anonymise=anonymise,
        erase=erase,
        activity=activity,
        exits=exits,
    )
)
