"""What the partnership domain holds about a person (event participations), for people.lifecycle."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citemploi.core.context import ActingContext
from citemploi.partnership.models.events import Participation
from citemploi.people.lifecycle import PersonalDataHandler, latest_dates, register_personal_data
from citemploi.people.models import Beneficiary


def export(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    return {
        "evenements": [
            {
                "evenement": str(p.event),
                "enregistre_le": p.recorded_at,
                "repere_lors_de_l_evenement": p.first_met_here,
            }
            for p in Participation.objects.filter(beneficiary=b)
            .select_related("event")
            .order_by("recorded_at", "id")
        ]
    }


def anonymise(b: Beneficiary) -> int:
    """Participations keep only their anonymous figures (sex, age band, QPV taken on the event date)."""
    return 0


def erase(b: Beneficiary) -> int:
    """The participation is detached from the person: the event's anonymous figures remain."""
    return Participation.objects.filter(beneficiary=b).update(beneficiary=None)


def activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Attending an event of the cité."""
    return latest_dates(
        Participation.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "recorded_at")
    )


register_personal_data(
    PersonalDataHandler(
        key="partnership",
        label="Participations aux événements",
        export=export,
        anonymise=anonymise,
        erase=erase,
    )
)
