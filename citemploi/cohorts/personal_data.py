"""What the cohorts domain holds about a person (memberships and their log), for people.lifecycle."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import AgendaItem, CohortMember, Decision, MemberTransition
from citemploi.core.context import ActingContext
from citemploi.people.lifecycle import PersonalDataHandler, latest_dates, register_personal_data
from citemploi.people.models import Beneficiary


def export(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    return {
        "cohortes": [
            {
                "cohorte": m.cohort.name,
                "propose_le": m.proposed_on,
                "motif": m.proposal_reason,
                "etat": m.get_state_display(),
                "integre_le": m.integrated_on,
                "sorti_le": m.exited_on,
            }
            for m in CohortMember.objects.filter(beneficiary=b)
            .select_related("cohort")
            .order_by("proposed_on", "id")
        ]
    }


def anonymise(b: Beneficiary) -> int:
    """Proposal and decision texts go; states and dates stay for the cohort funnel."""
    changed = CohortMember.objects.filter(beneficiary=b).update(proposal_reason="")
    changed += MemberTransition.objects.filter(member__beneficiary=b).update(reason="")
    changed += Decision.objects.filter(member__beneficiary=b).update(reason="")
    return changed


def erase(b: Beneficiary) -> int:
    members = CohortMember.objects.filter(beneficiary=b)
    # Decisions and agenda items protect the membership they are about: they go first (recusals cascade).
    deleted = Decision.objects.filter(member__in=members).delete()[0]
    deleted += AgendaItem.objects.filter(member__in=members).delete()[0]
    deleted += members.delete()[0]
    return deleted


def activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Memberships other than declined ones (a refusal is not a follow-up)."""
    return latest_dates(
        CohortMember.objects.filter(beneficiary__in=people)
        .exclude(state=MemberState.NOT_RETAINED)
        .values_list("beneficiary_id", "updated_at")
    )


def exits(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """Leaving a cohort one was integrated in is an exit."""
    return latest_dates(
        CohortMember.objects.filter(beneficiary__in=people, exited_on__isnull=False).values_list(
            "beneficiary_id", "exited_on"
        )
    )


def declined(people: QuerySet[Beneficiary]) -> dict[int, date]:
    """People whose every proposal was not retained, with the date of the last refusal."""
    rows = CohortMember.objects.filter(beneficiary__in=people).values_list(
        "beneficiary_id", "state", "updated_at"
    )
    retained = {pk for pk, state, _ in rows if state != MemberState.NOT_RETAINED}
    return latest_dates((pk, at) for pk, state, at in rows if pk not in retained)


register_personal_data(
    PersonalDataHandler(
        key="cohorts",
        label="Cohortes",
        export=export,
        anonymise=anonymise,
        erase=erase,
        activity=activity,
        exits=exits,
        declined=declined,
    )
)
