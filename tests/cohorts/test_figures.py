"""The cohort funnel on a hand-computed data set (indicators.md, "Cohorts and commission")."""

from datetime import date

from citemploi.cohorts import figures, services
from citemploi.cohorts.enums import CommissionOutcome, ExitReason, NotRetainedReason
from tests.cohorts.builders import candidate_person, open_cohort, session_with
from tests.factories import ctx_for


def test_funnel_counts_people_reaching_each_state_in_the_period_and_the_stock_at_its_end(world):
    cohort = open_cohort(world)
    coordinator = ctx_for(world.coordinator)

    def propose(on):
        person = candidate_person(world)
        return services.propose(
            ctx=ctx_for(world.referent_ft),
            cohort=cohort,
            beneficiary=person,
            reason="Motivée",
            proposed_on=on,
        )

    def sit(held_on, decisions):
        session = session_with(world, cohort, [m for m, _ in decisions], held_on=held_on)
        for member, outcome in decisions:
            extra = (
                {"not_retained_reason": NotRetainedReason.CRITERIA}
                if outcome == CommissionOutcome.NOT_RETAINED
                else {}
            )
            services.record_decision(
                ctx=coordinator, session=session, member=member, outcome=outcome, **extra
            )
        services.close_session(ctx=coordinator, session=session)

    f = propose(date(2024, 1, 10))  # integrated before the period: stock only
    sit(date(2024, 2, 13), [(f, CommissionOutcome.INTEGRATED)])
    a = propose(date(2024, 2, 10))  # examined, integrated and exited in the period
    b = propose(date(2024, 3, 5))  # waiting, then integrated at a second session: stock
    e = propose(date(2024, 3, 20))  # examined after the period: proposed only
    sit(date(2024, 3, 12), [(a, CommissionOutcome.INTEGRATED), (b, CommissionOutcome.WAITING)])
    c = propose(date(2024, 4, 1))  # not retained
    sit(date(2024, 4, 9), [(b, CommissionOutcome.INTEGRATED), (c, CommissionOutcome.NOT_RETAINED)])
    a.refresh_from_db()
    services.exit_member(ctx=coordinator, member=a, reason=ExitReason.SOLUTION, exited_on=date(2024, 5, 20))
    propose(date(2024, 6, 1))  # d: proposed, not examined yet
    sit(date(2024, 7, 9), [(e, CommissionOutcome.INTEGRATED)])

    result = figures.funnel(cohort, date(2024, 3, 1), date(2024, 6, 30))
    assert {s.state: s.count for s in result.steps} == {
        "proposed": 4,  # b, e, c, d
        "examined": 3,  # a, b (twice, counted once), c
        "integrated": 2,  # a, b
        "waiting": 1,  # b
        "not_retained": 1,  # c
        "exited": 1,  # a
    }
    assert result.stock_integrated == 2  # f and b; a exited, e integrated after the end
    assert result.target_share == 20  # 2 of a target of 10
    later = figures.funnel(cohort, date(2024, 7, 1), date(2024, 7, 31))
    assert later.count("integrated") == 1 and later.stock_integrated == 3
