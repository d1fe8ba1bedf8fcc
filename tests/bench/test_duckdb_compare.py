"""bench/duckdb_compare.py: DuckDB recomputes the indicators of `citemploi indicators` on a hand-made world of
two cités, every compared figure equals the command's JSON, and an altered figure is reported."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember
from citemploi.offer.enums import ServiceNature
from citemploi.offer.referentials import BARRIERS
from citemploi.orientations.enums import RefusalReason, Status
from citemploi.orientations.models import Orientation
from citemploi.partnership.enums import EventKind
from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord, BarrierTransition
from citemploi.people.enums import Gender, ReperageChannel
from citemploi.people.models import FollowUpMember
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome
from tests.factories import BeneficiaryFactory
from tests.offer.factories import ServiceFactory
from tests.partnership.factories import EventFactory, attended

duckdb = pytest.importorskip("duckdb")
from bench import duckdb_compare  # noqa: E402

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
YEAR = ("--from", "2026-01-01", "--to", "2026-12-31")


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _people_and_pathways(world, cite, structure, user):
    common = ServiceFactory(structure=structure, nature=ServiceNature.DROIT_COMMUN)
    specific = ServiceFactory(structure=structure, nature=ServiceNature.SPECIFIQUE)

    def person(identified_on, channel=ReperageChannel.FORUM, invisible=False, gender=Gender.FEMALE):
        return BeneficiaryFactory(
            cite=cite,
            responsible_structure=structure,
            identified_on=identified_on,
            reperage_channel=channel,
            invisible_at_identification=invisible,
            gender=gender,
        )

    def orientation(who, service, status, sent, answered=None, started=None, reason=""):
        return Orientation.objects.create(
            cite=cite,
            beneficiary=who,
            service=service,
            service_name=service.name,
            receiving_structure=service.structure,
            message="motif",
            sent_at=sent,
            deadline=sent + timedelta(days=10),
            status=status,
            answered_at=answered,
            started_at=started,
            refusal_reason=reason,
        )

    # identified in the year, by channel, some hors radar; one the year before, one the year after
    a = person(date(2026, 1, 1), invisible=True)
    b = person(date(2026, 3, 10), ReperageChannel.FORUM, gender=Gender.MALE)
    c = person(date(2026, 12, 31), next(iter(ReperageChannel)), invisible=True)
    d = person(date(2025, 6, 1))
    person(date(2027, 1, 1))
    # orientations: sent 1 January at 00:30 in Paris (31 December in UTC: in the year); sent 31 December
    # 2025 at 23:30 in Paris (out); accepted in 2 days 6 hours, refused in 4 days, started in 10, expired
    orientation(
        a, common, Status.ACCEPTED, _at(date(2026, 1, 1), 0, 30), answered=_at(date(2026, 1, 3), 6, 30)
    )
    orientation(b, specific, Status.REFUSED, _at(date(2025, 12, 31), 23, 30), answered=_at(date(2026, 1, 4)))
    orientation(
        b,
        specific,
        Status.REFUSED,
        _at(date(2026, 2, 1)),
        answered=_at(date(2026, 2, 5)),
        reason=next(iter(RefusalReason)),
    )
    orientation(
        c,
        common,
        Status.STARTED,
        _at(date(2026, 3, 1)),
        answered=_at(date(2026, 3, 2)),
        started=_at(date(2026, 3, 11)),
    )
    orientation(d, specific, Status.EXPIRED, _at(date(2026, 5, 1)))
    # d: exit without solution in 2025, back in the journal in 2026 → accompanied
    Outcome.objects.create(
        beneficiary=d, type=OutcomeType.NO_SOLUTION, outcome_on=date(2025, 9, 1), recorded_by=user
    )
    JournalEntry.objects.create(
        beneficiary=d, kind="phone", occurred_on=date(2026, 4, 15), text="Appel", author=user
    )
    # e: job in 2025 and nothing since → not accompanied; f: left a cohort in 2025 → not accompanied
    e = person(date(2024, 6, 1))
    Outcome.objects.create(
        beneficiary=e, type=OutcomeType.SUSTAINABLE_JOB, outcome_on=date(2025, 3, 1), recorded_by=user
    )
    f = person(date(2024, 6, 1), gender=Gender.MALE)
    cohort = Cohort.objects.create(cite=cite, name="C", start_date=date(2025, 1, 1), target_size=10)
    CohortMember.objects.create(
        cohort=cohort,
        beneficiary=f,
        proposing_structure=structure,
        proposed_on=date(2025, 1, 2),
        state=MemberState.EXITED,
        integrated_on=date(2025, 2, 1),
        exited_on=date(2025, 10, 15),
    )
    # the public employment service joins b's follow-up group in 2026 → hooked
    member = FollowUpMember.objects.create(beneficiary=b, structure=structure)
    FollowUpMember.objects.filter(pk=member.pk).update(added_at=_at(date(2026, 6, 1)))
    # outcomes in the year: a has two jobs (once per type), c a training; checks due in the year
    for who, kind, day in (
        (a, OutcomeType.SUSTAINABLE_JOB, date(2026, 2, 1)),
        (a, OutcomeType.SUSTAINABLE_JOB, date(2026, 8, 1)),
        (c, OutcomeType.QUALIFYING_TRAINING, date(2026, 12, 31)),
    ):
        Outcome.objects.create(beneficiary=who, type=kind, outcome_on=day, recorded_by=user)
    job = Outcome.objects.filter(beneficiary=e).get()
    FollowUpCheck.objects.create(outcome=job, months=3, due_on=date(2025, 6, 1), recorded_on=date(2025, 6, 1))
    FollowUpCheck.objects.create(
        outcome=job,
        months=12,
        due_on=date(2026, 3, 1),
        recorded_on=date(2026, 3, 5),
        still_in_job_or_training=True,
    )
    first = Outcome.objects.filter(beneficiary=a).order_by("outcome_on").first()
    FollowUpCheck.objects.create(
        outcome=first,
        months=3,
        due_on=date(2026, 5, 1),
        recorded_on=date(2026, 5, 2),
        still_in_job_or_training=False,
    )
    FollowUpCheck.objects.create(outcome=first, months=6, due_on=date(2026, 8, 1))
    # barriers: one identified in the year and lifted; one lifted in 2025 (not open); one open from 2025
    codes = [barrier.code for barrier in BARRIERS]

    def record(who, code, identified_on, moves=()):
        r = BarrierRecord.objects.create(
            beneficiary=who,
            cite=cite,
            barrier=code,
            identified_on=identified_on,
            state=moves[-1][0] if moves else BarrierState.IDENTIFIED,
            state_changed_at=timezone.now(),
        )
        for state, when in ((BarrierState.IDENTIFIED, _at(identified_on)), *moves):
            t = BarrierTransition.objects.create(record=r, from_state="", to_state=state)
            BarrierTransition.objects.filter(pk=t.pk).update(at=when)

    record(a, codes[0], date(2026, 1, 5), [(BarrierState.LIFTED, _at(date(2026, 4, 1)))])
    record(d, codes[0], date(2025, 2, 1), [(BarrierState.LIFTED, _at(date(2025, 12, 31), 23, 30))])
    # lifted at 00:30 on 1 January in Paris: in the year (23:30 on 31 December in UTC)
    record(d, codes[1], date(2025, 2, 1), [(BarrierState.LIFTED, _at(date(2026, 1, 1), 0, 30))])
    record(b, codes[1], date(2025, 11, 1))
    # events with counted and named participants
    cafe = EventFactory(
        cite=cite,
        date=date(2026, 3, 5),
        counted_total=10,
        counted_young=4,
        counted_women=6,
        counted_seniors=1,
        counted_qpv=8,
        hours_delivered=Decimal("3.5"),
        coordination_hours=Decimal("2.25"),
        found_count=5,
        hooked_count=3,
        employed_count=1,
        organised_by=structure,
    )
    EventFactory(
        cite=cite, date=date(2026, 9, 30), forum=True, hours_delivered=Decimal("6"), organised_by=structure
    )
    EventFactory(cite=cite, date=date(2025, 9, 30), counted_total=1000, organised_by=structure)
    attended(cafe, a)
    attended(cafe, b)


@pytest.fixture
def two_cites(world):
    user = world.coordinator.user
    _people_and_pathways(world, world.cite, world.ft, user)
    _people_and_pathways(world, world.other_cite, world.other_structure, world.other_coordinator.user)
    BeneficiaryFactory(
        cite=world.other_cite, responsible_structure=world.other_structure, identified_on=date(2026, 7, 1)
    )
    return world


def _document(*scope: str) -> dict:
    out = StringIO()
    call_command("indicators", *scope, *YEAR, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_duckdb_gives_every_figure_of_the_cite_and_the_nation(two_cites):
    documents = {"indicators": _document("--cite", "amiens"), "national_indicators": _document("--all-cites")}
    result = duckdb_compare.run(documents, repeat=1)

    assert result["mismatches"] == 0, [s["mismatches"] for s in result["scopes"].values()]
    assert result["rows_loaded"]["beneficiary"] == 15  # 7 per cité and one more in Le Mans
    cite, nation = result["scopes"]["indicators"], result["scopes"]["national_indicators"]
    assert (cite["cites"], nation["cites"]) == (1, 2)
    assert cite["figures_compared"] > 80
    assert cite["duckdb_seconds"] > 0 and cite["ratio"] > 0
    assert set(cite["citemploi_by_indicator"]) == set(duckdb_compare.COMPARED)
    assert cite["citemploi_sequential_seconds"] == pytest.approx(
        sum(cite["citemploi_by_indicator"].values()), rel=0.5
    )
    assert cite["citemploi_seconds"] > 0 and cite["workers"] >= 1

    # DuckDB's own figures, against the hand-computed ones (so that both sides cannot be empty together)
    con = duckdb_compare.connect()
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        duckdb_compare.load(con, Path(folder))
    figures = duckdb_compare.duckdb_figures(con, (two_cites.cite.pk,), date(2026, 1, 1), date(2026, 12, 31))
    assert sum(figures["people.identified"].values()) == 3  # a, b, c
    assert sum(figures["people.invisible_reached"].values()) == 2  # a, c
    # accompanied: a, b, c (never exited), d (back in the journal); hooked: a (accepted), b (France Travail),
    # c (started)
    assert figures["people.accompanied_hooked"] == {"accompanied": 4.0, "hooked": 3.0}
    outcomes = figures["orientations.outcomes"]
    assert (outcomes["sent"], outcomes["accepted"], outcomes["refused"], outcomes["started"]) == (4, 2, 1, 1)
    # answers after 2.25, 4 and 1 days: median 2.25 → 2.2 (Python's round), 90th percentile (rank 3) 4.0
    assert figures["orientations.delays"]["answer_median"] == round(2.25, 1)
    assert figures["orientations.delays"]["answer_p90"] == 4.0
    assert figures["orientations.delays"]["start_median"] == 10.0
    assert figures["outcomes.by_type"] == {
        OutcomeType.SUSTAINABLE_JOB.value: 1.0,
        OutcomeType.QUALIFYING_TRAINING.value: 1.0,
        "total": 2.0,
    }
    assert figures["outcomes.retention_rate"] == {"12": 100.0, "3": 0.0}
    barriers = BARRIERS[0].code, BARRIERS[1].code
    assert figures["barriers.identified"] == {barriers[0]: 1.0, barriers[1]: 0.0}
    # open: the one of the year, the one lifted on 1 January in Paris, the one still open (not the 2025 lift)
    assert figures["barriers.open"] == {barriers[0]: 1.0, barriers[1]: 2.0}
    assert figures["barriers.lifted"] == {barriers[0]: 1.0, barriers[1]: 1.0}
    cafe, forum = EventKind.CAFE_EMPLOI.value, EventKind.FORUM.value
    assert figures["events.count"] == {cafe: 1.0, forum: 1.0}
    # the café: 10 counted and 2 named; the forum: 700 counted (the factory's forum), the 2025 event out
    assert figures["events.participants"] == {cafe: 12.0, forum: 700.0}
    assert figures["events.hours"] == {"delivered": 9.5, "coordination": 2.25}


def test_an_altered_figure_is_reported(two_cites):
    document = _document("--cite", "amiens")
    identified = next(i for i in document["indicators"] if i["code"] == "people.identified")
    row = next(r for r in identified["rows"] if r["values"]["all"])
    row["values"]["all"] += 1
    result = duckdb_compare.run({"indicators": document}, repeat=0)
    mismatches = result["scopes"]["indicators"]["mismatches"]
    assert result["mismatches"] == 1
    assert mismatches == [
        {
            "indicator": "people.identified",
            "category": row["key"],
            "citemploi": row["values"]["all"],
            "duckdb": row["values"]["all"] - 1,
        }
    ]
    assert "ratio" not in result["scopes"]["indicators"]  # not timed with repeat=0
