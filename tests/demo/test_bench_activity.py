"""The activity of the benchmark data sets: directory, journal, orientations, barriers, outcomes, cohorts,
calls for projects (citemploi/demo/bench_activity.py), its volumes, invariants and determinism."""

import hashlib
import json
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from citemploi.calls import budget_lines, machines
from citemploi.calls.enums import FUNDED_STATUSES, ApplicationStatus
from citemploi.calls.models import Agreement, Application, BudgetEntry, Call, Report
from citemploi.cohorts import machine as cohort_machine
from citemploi.cohorts.enums import CohortState, MemberState, SessionStatus
from citemploi.cohorts.models import CohortMember, Decision
from citemploi.demo.bench import LOAD_PRAGMAS, build_bench
from citemploi.demo.bench_activity import Table, Volumes
from citemploi.demo.digest import demo_digest
from citemploi.offer.models import Service
from citemploi.orientations import machine as orientation_machine
from citemploi.orientations.enums import REQUIRED_GROUPS, Status
from citemploi.orientations.models import Orientation
from citemploi.orientations.services import build_snapshot
from citemploi.partners.models import Membership, Partnership
from citemploi.pathways.enums import BARRIER_TRANSITIONS, OPEN_BARRIER_STATES
from citemploi.pathways.models import BarrierRecord
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary, Consent
from citemploi.reporting import freshness
from citemploi.reporting.models import DataVersion
from citemploi.tracking import services as tracking_services
from citemploi.tracking.enums import CHECK_MONTHS, CHECKED_TYPES, RETAINED_SITUATIONS
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome

TODAY = date.today() - timedelta(days=3)
PEOPLE = 300


@pytest.fixture
def bench(db):
    return build_bench(cites=2, people=PEOPLE, seed=7, today=TODAY)


def test_volumes_per_person_and_per_cite(bench):
    followed = Beneficiary.objects.filter(referent__isnull=False).count()
    assert 0.8 * PEOPLE < followed < PEOPLE
    # The averages are per person over all the people (written by the référents of the followed ones).
    assert 9.0 * PEOPLE <= JournalEntry.objects.count() <= 11.0 * PEOPLE
    assert 3.5 * PEOPLE <= Orientation.objects.count() <= 4.5 * PEOPLE
    assert 0.22 * PEOPLE <= Outcome.objects.count() <= 0.38 * PEOPLE
    per_person = Counter(BarrierRecord.objects.values_list("beneficiary_id", flat=True))
    assert len(per_person) == followed and set(per_person.values()) <= {1, 2, 3}
    assert Service.objects.count() == 2 * 500
    assert Call.objects.count() == 2 * 3
    assert Application.objects.count() == 2 * 100
    assert 0 < CohortMember.objects.count() <= 0.05 * PEOPLE
    assert bench.services == 1000
    assert bench.extra["entrées de journal"] == JournalEntry.objects.count()
    assert bench.extra["orientations"] == Orientation.objects.count()
    # Each cité has its share.
    for cite_id, count in Counter(Orientation.objects.values_list("cite_id", flat=True)).items():
        assert 3.0 * PEOPLE / 2 <= count <= 5.0 * PEOPLE / 2, cite_id


def test_orientations_go_to_another_structure_of_the_same_cite(bench):
    now = datetime.combine(TODAY, time(18), tzinfo=timezone.get_default_timezone())
    partners = set(Partnership.objects.values_list("cite_id", "structure_id"))
    sharing = {
        c.beneficiary_id: c.given_on
        for c in Consent.objects.filter(scope=ConsentScope.SHARING, withdrawn_on__isnull=True)
    }
    orientations = Orientation.objects.select_related("beneficiary__qpv", "service").prefetch_related(
        "transitions"
    )
    statuses = Counter()
    for o in orientations:
        b = o.beneficiary
        statuses[o.status] += 1
        assert o.cite_id == b.cite_id
        assert (o.cite_id, o.service.structure_id) in partners
        assert o.receiving_structure_id == o.service.structure_id != o.sender_structure_id
        assert o.sender_structure_id == b.responsible_structure_id and o.sender_id == b.referent_id
        assert o.service_name == o.service.name
        assert b.pk in sharing and sharing[b.pk] <= timezone.localtime(o.sent_at).date()
        assert o.shared_groups[:2] == [str(g) for g in REQUIRED_GROUPS]
        assert o.snapshot == build_snapshot(b, o.shared_groups)
        assert o.deadline == o.sent_at + timedelta(days=10)
        moments = [o.sent_at, o.answered_at, o.started_at, o.closed_at]
        present = [m for m in moments if m is not None]
        assert present == sorted(present) and present[-1] <= now
        # The status was reached along the machine's edges, one transition row per move.
        log = list(o.transitions.all())
        assert [t.source for t in log] == ["", *[t.target for t in log[:-1]]]
        assert log[0].target == Status.SENT and log[-1].target == o.status
        assert all(orientation_machine.allows(t.source, t.target) for t in log[1:])
        assert o.version == len(log)
        assert [t.at for t in log] == sorted(t.at for t in log)
        assert (o.answered_at is not None) == any(t.target in (Status.ACCEPTED, Status.REFUSED) for t in log)
        assert (o.closed_at is not None) == (o.status in _FINAL)
        if o.status == Status.SENT:
            assert o.deadline > now
        if o.status == Status.REFUSED:
            assert o.refusal_reason
        if o.status == Status.COMPLETED:
            assert o.outcome
        if o.status == Status.EXPIRED:
            assert log[-1].actor_id is None and log[-1].channel == "system" and log[-1].at == o.deadline
        for t in log:
            if t.channel == "link":
                assert t.target in orientation_machine.LINK_TARGETS
            elif t.channel == "web" and t.target not in (Status.SENT, Status.WITHDRAWN):
                assert t.actor_structure_id == o.receiving_structure_id
        o.full_clean(
            exclude=["beneficiary", "service", "sender", "sender_structure", "receiving_structure", "cite"]
        )
    # A realistic spread of statuses.
    assert {Status.COMPLETED, Status.REFUSED, Status.EXPIRED, Status.STARTED, Status.ACCEPTED} <= set(
        statuses
    )
    assert statuses[Status.COMPLETED] > statuses[Status.WITHDRAWN]


_FINAL = {Status.REFUSED, Status.EXPIRED, Status.WITHDRAWN, Status.COMPLETED, Status.ABANDONED}


def test_journal_barriers_and_outcomes_keep_the_invariants(bench):
    for e in JournalEntry.objects.select_related("beneficiary").iterator():
        b = e.beneficiary
        assert e.author_id == b.referent_id and e.structure_id == b.responsible_structure_id
        assert b.identified_on <= e.occurred_on <= TODAY
        assert e.text and e.corrects_id is None
    assert 0 < JournalEntry.objects.exclude(private_note="").count() < 0.1 * JournalEntry.objects.count()
    assert len(set(JournalEntry.objects.values_list("kind", flat=True))) >= 6

    open_records = Counter()
    for r in BarrierRecord.objects.select_related("beneficiary").prefetch_related("transitions"):
        assert r.cite_id == r.beneficiary.cite_id and r.identified_by_id == r.beneficiary.referent_id
        assert r.sensitive == r.barrier_def.sensitive
        log = list(r.transitions.all())
        assert [t.from_state for t in log] == ["", *[t.to_state for t in log[:-1]]]
        assert log[-1].to_state == r.state and log[-1].at == r.state_changed_at
        assert all(t.to_state in BARRIER_TRANSITIONS[t.from_state] for t in log[1:])
        if r.state in OPEN_BARRIER_STATES:
            open_records[(r.beneficiary_id, r.barrier)] += 1
    assert set(open_records.values()) == {1}
    assert len(set(BarrierRecord.objects.values_list("state", flat=True))) == 4

    for o in Outcome.objects.select_related("beneficiary").prefetch_related("checks"):
        assert o.recorded_by_id == o.beneficiary.referent_id
        assert o.beneficiary.identified_on <= o.outcome_on <= TODAY
        tracking_services._clean_outcome(
            {
                "type": o.type,
                "contract_type": o.contract_type,
                "contract_months": o.contract_months,
                "weekly_hours": o.weekly_hours,
            }
        )
        checks = list(o.checks.order_by("months"))
        if o.type in CHECKED_TYPES:
            assert [c.months for c in checks] == list(CHECK_MONTHS)
            for c in checks:
                assert c.due_on == tracking_services.add_months(o.outcome_on, c.months)
                if c.recorded_on is not None:
                    assert c.due_on <= c.recorded_on <= TODAY
                    assert c.still_in_job_or_training == (c.situation in RETAINED_SITUATIONS)
        else:
            assert checks == []
    assert FollowUpCheck.objects.filter(recorded_on__isnull=False).exists()
    assert FollowUpCheck.objects.filter(recorded_on__isnull=True, due_on__lte=TODAY).exists()


def test_cohorts_and_calls_keep_the_invariants(bench):
    for m in CohortMember.objects.select_related("cohort", "beneficiary").prefetch_related("transitions"):
        assert m.cohort.cite_id == m.beneficiary.cite_id and m.cohort.state == CohortState.OPEN
        assert m.proposing_structure_id == m.beneficiary.responsible_structure_id
        assert Consent.objects.filter(
            beneficiary=m.beneficiary, scope=ConsentScope.COMMISSION, given_on__lte=m.proposed_on
        ).exists()
        log = list(m.transitions.order_by("effective_on", "id"))
        assert [t.from_state for t in log] == ["", *[t.to_state for t in log[:-1]]]
        assert log[-1].to_state == m.state
        assert all(t.to_state in cohort_machine.EDGES[t.from_state] for t in log[1:])
        if m.state != MemberState.PROPOSED:
            decision = Decision.objects.get(member=m)
            assert decision.session.status == SessionStatus.CLOSED
            assert decision.session.held_on > m.proposed_on
            assert decision.session.agenda.filter(member=m).exists()
    assert Decision.objects.exists()

    per_call = defaultdict(int)
    for app in Application.objects.select_related("call", "holder").prefetch_related("transitions", "budget"):
        per_call[app.call_id] += 1
        assert app.holder.kind == "association"
        assert Partnership.objects.filter(cite_id=app.call.cite_id, structure=app.holder).exists()
        log = list(app.transitions.order_by("created_at", "id"))
        assert [t.from_status for t in log] == ["", *[t.to_status for t in log[:-1]]]
        assert log[-1].to_status == app.status and app.version == len(log)
        assert all(machines.APPLICATION.allows(t.from_status, t.to_status) for t in log[1:])
        for t in log[1:]:
            if (t.from_status, t.to_status) in machines.APPLICATION.reason_required:
                assert t.reason
        charges = sum(b.amount for b in app.budget.all() if budget_lines.side_of(b.line) == "charges")
        resources = sum(b.amount for b in app.budget.all() if budget_lines.side_of(b.line) == "resources")
        assert charges == resources > 0
        funded = app.status in FUNDED_STATUSES
        assert Agreement.objects.filter(application=app).exists() == funded
        assert Report.objects.filter(application=app).exists() == funded
        if funded:
            assert (
                app.agreement.number == f"{app.reference}-CONV" and app.agreement.amount == app.awarded_amount
            )
            assert sum(i.amount for i in app.agreement.installments.all()) == app.awarded_amount
        if app.status in (ApplicationStatus.DRAFT,):
            assert app.submitted_at is None
    assert len(per_call) == 6
    assert BudgetEntry.objects.filter(line="74etat").count() == Application.objects.count()
    assert Decimal(0) < sum(Application.objects.values_list("requested_amount", flat=True))


def _digest() -> str:
    """The generated activity by natural keys (no ids, no creation instants), hashed."""
    rows: list[str] = []

    def add(kind, values):
        rows.extend(f"{kind} {json.dumps(v, sort_keys=True, default=str)}" for v in values)

    who = "beneficiary__identity_key"
    add("j", JournalEntry.objects.values(who, "kind", "occurred_on", "text", "private_note", "author__email"))
    add(
        "o",
        Orientation.objects.values(
            who, "service__source_id", "status", "sent_at", "answered_at", "started_at", "closed_at",
            "refusal_reason", "outcome", "snapshot", "shared_groups", "version",
        ),
    )  # fmt: skip
    add("t", Orientation.objects.values(who, "sent_at", "transitions__target", "transitions__at"))
    add("b", BarrierRecord.objects.values(who, "barrier", "state", "severity", "identified_on"))
    add("x", Outcome.objects.values(who, "type", "outcome_on", "contract_type", "checks__situation"))
    add("c", CohortMember.objects.values(who, "cohort__name", "state", "proposed_on"))
    add("a", Application.objects.values("call__year", "holder__name", "title", "status", "requested_amount"))
    add("s", Service.objects.values("source_id", "name", "structure__name", "last_updated_on"))
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


def test_same_seed_same_activity_whatever_the_batch_size(db):
    volumes = Volumes(services_per_cite=60, applications_per_cite=20)
    with transaction.atomic():
        build_bench(cites=2, people=200, seed=11, today=TODAY, batch_size=1000, volumes=volumes)
        first = _digest()
        transaction.set_rollback(True)
    assert not Orientation.objects.exists()
    build_bench(cites=2, people=200, seed=11, today=TODAY, batch_size=7, volumes=volumes)
    assert Service.objects.count() == 120 and Application.objects.count() == 40
    assert _digest() == first


def test_the_command_takes_the_volumes_and_prints_them(db):
    out = StringIO()
    call_command(
        "demo", "--cites", "1", "--people", "40", "--services-per-cite", "12", "--journal-per-person", "2.5",
        "--orientations-per-person", "1", "--applications-per-cite", "5", "--seed", "3", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "par cité 12 services et 5 dossiers d'appel à projets" in text
    assert "2,5 entrées de journal, 1 orientations" in text
    assert Service.objects.count() == 12 and Application.objects.count() == 5
    assert 80 <= JournalEntry.objects.count() <= 120
    assert f"{JournalEntry.objects.count()} entrées de journal" in text.replace("\u202f", "")
    for bad in (["--outcome-share", "1.5"], ["--journal-per-person", "-1"], ["--jobs", "0"]):
        with pytest.raises(CommandError):
            call_command("demo", "--cites", "1", "--people", "5", *bad, stdout=StringIO())


def test_the_rows_get_the_ids_the_database_gave_them(db):
    build_bench(cites=1, people=10, seed=2, today=TODAY, volumes=Volumes(services_per_cite=3))
    person = Beneficiary.objects.first()
    referent = Membership.objects.filter(role="referent").first()
    entries = Table(JournalEntry, sensitive_confirmed=False, version=1)
    add = entries.adder("beneficiary_id", "kind", "occurred_on", "text", "author_id", "structure_id")
    for day in range(3):
        add(
            person.pk, "phone", TODAY - timedelta(days=day), "Appel.", referent.user_id, referent.structure_id
        )
    ids = entries.flush()
    assert [JournalEntry.objects.get(pk=pk).occurred_on for pk in ids] == [
        TODAY - timedelta(days=day) for day in range(3)
    ]
    # a row the database refuses (no kind): Django's error, as with its own statements
    entries.add(beneficiary_id=person.pk, kind=None, occurred_on=TODAY, author_id=referent.user_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        entries.flush()


@pytest.mark.django_db(transaction=True)
def test_the_bulk_load_settings_are_restored_and_the_database_stays_wal():
    if connection.vendor != "sqlite":
        pytest.skip(
            "SQLite only: the load-time PRAGMAs do not exist on PostgreSQL (this test runs in the SQLite CI pass)"
        )
    with connection.cursor() as cursor:
        before = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in LOAD_PRAGMAS}
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    build_bench(cites=1, people=20, seed=3, today=TODAY, volumes=Volumes(services_per_cite=5))
    with connection.cursor() as cursor:
        assert {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in LOAD_PRAGMAS} == before
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == mode
        assert cursor.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert Beneficiary.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_processes_build_the_same_data_as_one_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite has one writer, cités are built in parallel on PostgreSQL (runs in the PostgreSQL CI pass)"
        )
    volumes = Volumes(services_per_cite=20, applications_per_cite=10)
    summary = build_bench(cites=3, people=90, seed=4, today=TODAY, volumes=volumes, jobs=2)
    assert summary.cites == 3 and summary.people == 90 and Beneficiary.objects.count() == 90
    assert summary.extra["entrées de journal"] == JournalEntry.objects.count() > 0
    parallel = (_digest(), demo_digest())
    call_command("flush", interactive=False, verbosity=0)
    build_bench(cites=3, people=90, seed=4, today=TODAY, volumes=volumes, jobs=1)
    assert (_digest(), demo_digest()) == parallel


def test_the_load_bumps_the_version_of_the_indicators_data(db):
    # the rows bypass Django's cursor, whose statement wrapper bumps the versions on commit
    before = DataVersion.objects.filter(scope=freshness.ALL).values_list("version", flat=True).first() or 0
    build_bench(cites=1, people=5, seed=1, today=TODAY, volumes=Volumes(services_per_cite=2))
    assert DataVersion.objects.get(scope=freshness.ALL).version == before + 1
