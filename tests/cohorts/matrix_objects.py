"""Objects of the cohort screens for the generated permission matrix (tests/core/test_policy_matrix.py).

Each persona gets fresh objects in its reach: an open cohort whose référent structure is France Travail,
the matrix person (followed by France Travail) proposed and integrated, a session to which the commission
member (chairing it) and the France Travail référent are convened, with that person on its agenda.
"""

from datetime import date

from citemploi.cohorts import services
from citemploi.cohorts.enums import CommissionOutcome
from tests.cohorts.builders import open_cohort, with_commission_consent
from tests.factories import ctx_for

NAMES = {
    "cohorts:detail",
    "cohorts:edit",
    "cohorts:state",
    "cohorts:propose",
    "cohorts:propose_person",
    "cohorts:exit",
    "cohorts:session_detail",
    "cohorts:session_edit",
    "cohorts:decide",
    "cohorts:session_close",
    "cohorts:minutes",
}


def url_kwargs(name, keys, world, person):
    if name not in NAMES:
        return None
    cohort = open_cohort(world, structures=[world.ft])
    if name == "cohorts:propose_person":
        with_commission_consent(person)
        return {"person_pk": person.pk}
    if name in ("cohorts:detail", "cohorts:edit", "cohorts:state", "cohorts:propose"):
        return {"pk": cohort.pk}
    with_commission_consent(person)
    member = services.propose(
        ctx=ctx_for(world.referent_ft), cohort=cohort, beneficiary=person, reason="Motivée"
    )
    coordinator = ctx_for(world.coordinator)
    session = services.create_session(
        ctx=coordinator,
        data={"held_on": date(2024, 6, 10), "chair": world.commission_member},
        cohorts=[cohort],
        convened=[world.coordinator, world.commission_member, world.referent_ft],
        present=[world.coordinator, world.commission_member],
        agenda=[member],
    )
    if name == "cohorts:exit":
        services.record_decision(
            ctx=coordinator, session=session, member=member, outcome=CommissionOutcome.INTEGRATED
        )
        services.close_session(ctx=coordinator, session=session)
        return {"member_pk": member.pk}
    if name == "cohorts:decide":
        return {"pk": session.pk, "member_pk": member.pk}
    return {"pk": session.pk}
