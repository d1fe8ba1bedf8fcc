"""What the orientations domain holds about a person, for people.lifecycle."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citemploi.core.context import ActingContext
from citemploi.orientations.models import Orientation, OrientationTransition
from citemploi.people.lifecycle import PersonalDataHandler, latest_dates, register_personal_data
from citemploi.people.models import Beneficiary


def export(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    return {
        "orientations": [
            {
                "service": o.service_name,
                "envoyee_le": o.sent_at,
                "etat": o.get_status_display(),
                "motif": o.message,
                "precisions_refus": o.refusal_details,
                "resultat": o.outcome,
            }
            for o in Orientation.objects.filter(beneficiary=b).order_by("sent_at", "id")
        ]
    }


def anonymise(b: Beneficiary) -> int:
    """Messages, the snapshot of the person sent to the service and answers' texts go; states and dates stay."""
    changed = Orientation.objects.filter(beneficiary=b).update(
        message="", refusal_details="", outcome="", snapshot={}, shared_groups=[]
    )
    changed += OrientationTransition.objects.filter(orientation__beneficiary=b).update(reason="")
    return changed


def erase(b: Beneficiary) -> int:
    return Orientation.objects.filter(beneficiary=b).delete()[0]


def activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Orientations sent, answered or changed."""
    return latest_dates(
        Orientation.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "updated_at")
    )


register_personal_data(
    PersonalDataHandler(
        key="orientations",
        label="Orientations",
        export=export,
        anonymise=anonymise,
        erase=erase,
        activity=activity,
    )
)
