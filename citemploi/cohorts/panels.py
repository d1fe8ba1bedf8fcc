"""The "Cohortes" section of a person's file: their cohort memberships the user may see, and the link to
propose them for an open cohort."""

from typing import Any

from citemploi.cohorts import queries
from citemploi.core.context import ActingContext
from citemploi.people.models import Beneficiary


def build_panel(ctx: ActingContext, beneficiary: Beneficiary) -> dict[str, Any] | None:
    """One query: the memberships this user may see."""
    if not ctx.can("cohort.view") or queries.visibility(ctx) not in (
        queries.Visibility.ALL,
        queries.Visibility.OWN_STRUCTURE,
    ):
        return None
    memberships = list(
        queries.members_for(ctx)
        .filter(beneficiary=beneficiary)
        .select_related("cohort", "proposing_structure")
        # the columns cohorts/_file_panel.html and structure_label read
        .only(
            "cohort_id",
            "beneficiary_id",
            "state",
            "proposed_on",
            "cohort__name",
            "proposing_structure__name",
            "proposing_structure__sensitive",
        )
        .order_by("-proposed_on", "-id")
    )
    # The panel runs for people whose file the user may open: when proposing reaches as far as reading the
    # file (a référent's STRUCTURE scope), the user may propose this person, without one more query.
    can_propose = ctx.can("cohort.propose") and ctx.scope("cohort.propose") == ctx.scope("beneficiary.view")
    return {
        "memberships": [(m, queries.structure_label(ctx, m)) for m in memberships],
        "can_propose": can_propose,
    }
