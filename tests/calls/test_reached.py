"""The call's report indicators computed from what the platform records of the people a funded action
reached (citemploi.calls.reached), on a hand-built world whose every figure is counted by hand below."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from citemploi.calls import reached
from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.models import FundedActionLink, Report
from citemploi.calls.services import funding
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import Gender
from citemploi.secrecy.models import SuppressionLog
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import FollowUpCheck, Outcome
from tests.api.conftest import ApiClient, make_token
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, ctx_for
from tests.partnership.factories import EventFactory, RoadmapActionFactory, attended

PARIS = ZoneInfo("Europe/Paris")
STARTS, ENDS = date(2026, 3, 1), date(2026, 9, 30)
#: invented names: no generated name of the test data (users, structures) can contain one of their parts
#: (« Martin » was found in a generated « Christophe Martinez »)
NAMES = [
    "Awenna Quenardel",
    "Brunold Vexalon",
    "Chlorine Marbrisse",
    "Drissan Ouladrif",
    "Emmaline Rossignac",
    "Fabrelio Nolwaert",
]


def _at(y, m, d, hh=10):
    return datetime(y, m, d, hh, 0, tzinfo=PARIS)


def _person(world, name, gender, born, qpv):
    first, last = name.split(" ", 1)
    return BeneficiaryFactory(
        cite=world.cite,
        first_name=first,
        last_name=last,
        gender=gender,
        birth_date=born,
        qpv=world.qpv if qpv else None,
        responsible_structure=world.ft,
    )


def _oriented(world, person, service, status, answered=None, started=None, closed=None):
    sent = (answered or started or _at(2026, 1, 5)) - timedelta(days=2)
    return Orientation.objects.create(
        cite=world.cite,
        beneficiary=person,
        service=service,
        service_name=service.name,
        receiving_structure=world.asso,
        sender=world.referent_ft.user,
        sender_structure=world.ft,
        message="Besoin du permis pour un emploi de livreur",
        sent_at=sent,
        deadline=sent + timedelta(days=10),
        status=status,
        answered_at=answered,
        started_at=started,
        closed_at=closed,
    )


def _outcome(world, person, kind, day):
    return Outcome.objects.create(
        beneficiary=person, type=kind, outcome_on=day, recorded_by=world.coordinator.user
    )


@pytest.fixture
def funded(world):
    """A funded action from 1 March to 30 September 2026, with its service and its roadmap action."""
    call = CallFactory(cite=world.cite, year=2026)
    app = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("12000"),
    )
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(ctx=ctx, app=app, starts_on=STARTS, ends_on=ENDS)
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    link = FundedActionLink.objects.select_related("service", "roadmap_action").get(application=app)
    assert link.complete, link.problems
    service, action = link.service, link.roadmap_action

    a = _person(world, NAMES[0], Gender.FEMALE, date(2003, 5, 10), qpv=True)  # 22 on 15/04/2026: jeune
    b = _person(world, NAMES[1], Gender.MALE, date(1970, 1, 1), qpv=False)  # 56: senior
    c = _person(world, NAMES[2], Gender.FEMALE, date(1990, 7, 1), qpv=True)
    d = _person(world, NAMES[3], Gender.MALE, date(2004, 1, 1), qpv=True)
    e = _person(world, NAMES[4], Gender.FEMALE, date(1960, 3, 3), qpv=True)  # 66: senior
    f = _person(world, NAMES[5], Gender.MALE, date(1985, 2, 2), qpv=True)

    # A: accepted 15/04, started 20/04 (in the period); a sustainable job on 01/06 (in the period).
    _oriented(world, a, service, Status.STARTED, _at(2026, 4, 15), _at(2026, 4, 20))
    _outcome(world, a, OutcomeType.SUSTAINABLE_JOB, date(2026, 6, 1))
    # B: accepted 02/05, started 05/05, completed 01/07; a transition job before the period whose 6-month
    # check, due 01/06 and recorded, found him still in a job: kept in employment.
    _oriented(world, b, service, Status.COMPLETED, _at(2026, 5, 2), _at(2026, 5, 5), _at(2026, 7, 1))
    job = _outcome(world, b, OutcomeType.TRANSITION_JOB, date(2025, 12, 1))
    FollowUpCheck.objects.create(
        outcome=job,
        months=6,
        due_on=date(2026, 6, 1),
        recorded_on=date(2026, 6, 3),
        still_in_job_or_training=True,
    )
    # C: accepted, started and completed in February, before the period: not reached (her job does not count).
    _oriented(world, c, service, Status.COMPLETED, _at(2026, 2, 10), _at(2026, 2, 20), _at(2026, 2, 28))
    _outcome(world, c, OutcomeType.SUSTAINABLE_JOB, date(2026, 5, 1))
    # D: refused in April: not reached.
    _oriented(world, d, service, Status.REFUSED, _at(2026, 4, 1))
    # F: accepted in May, then abandoned before starting (he never came): not reached.
    _oriented(world, f, service, Status.ABANDONED, _at(2026, 5, 10))

    # Events of the roadmap action: E1 in the period (B and E named, 12 counted), E4 on the last day (A named,
    # already reached), E2 after the period; E3 belongs to another roadmap action.
    e1 = EventFactory(
        cite=world.cite, roadmap_action=action, date=date(2026, 6, 10), counted_total=12, counted_young=5,
        counted_women=7, counted_seniors=2, counted_qpv=9, hours_delivered=Decimal("6"),
        coordination_hours=Decimal("3.5"),
    )  # fmt: skip
    attended(e1, b)
    attended(e1, e)
    e4 = EventFactory(
        cite=world.cite, roadmap_action=action, date=ENDS, hours_delivered=Decimal("2.5"),
        coordination_hours=Decimal("1.5"),
    )  # fmt: skip
    attended(e4, a)
    EventFactory(
        cite=world.cite, roadmap_action=action, date=date(2026, 10, 20), counted_total=20,
        hours_delivered=Decimal("4"), coordination_hours=Decimal("2"),
    )  # fmt: skip
    other = RoadmapActionFactory(objective=action.objective)
    EventFactory(cite=world.cite, roadmap_action=other, date=date(2026, 6, 10), counted_total=30)
    # E: a training after the period: does not count.
    _outcome(world, e, OutcomeType.QUALIFYING_TRAINING, date(2026, 10, 15))
    return app


def test_every_figure_counted_by_hand(funded):
    figures = reached.reached_figures(funded)
    assert (figures.starts_on, figures.ends_on) == (STARTS, ENDS)
    # named: A, B (oriented and at E1: once), E = 3; plus 12 counted at E1
    assert figures.people == 15
    assert figures.qpv_residents == 2 + 9  # A, E + counted
    assert figures.young == 1 + 5  # A (22 when first reached) + counted
    assert figures.women == 2 + 7  # A, E + counted
    assert figures.seniors == 2 + 2  # B (56), E (66) + counted
    assert figures.in_training_or_employment == 2  # A (job in the period), B (6-month check)
    assert figures.events == 2  # E1, E4
    assert figures.hours_delivered == Decimal("8.5")
    assert figures.coordination_hours == Decimal("5")


def test_the_coordination_reads_exact_counts_and_the_holder_protected_ones(world, funded):
    exact = reached.figures_for(ctx_for(world.coordinator), funded)
    assert not exact.protected and exact.values["young"] == 6 and exact.values["seniors"] == 4
    shown = reached.figures_for(ctx_for(world.holder), funded)
    assert shown.protected and shown.threshold == 11
    assert shown.values == {
        "people": 15,
        "qpv_residents": 11,
        "young": None,
        "women": None,
        "seniors": None,
        "in_training_or_employment": None,
        "events": 2,
        "hours_delivered": Decimal("8.5"),
        "coordination_hours": Decimal("5"),
    }
    logged = set(SuppressionLog.objects.filter(audience="funders").values_list("indicator", flat=True))
    assert {"calls.reached.young", "calls.reached.in_training_or_employment"} <= logged


def _page(client, app):
    response = client.get(f"/appels-a-projets/dossiers/{app.pk}/bilan/")
    assert response.status_code == 200
    return response


def test_the_holder_sees_counts_without_names_and_prefills_what_is_empty(client, world, funded):
    login_as(client, world.holder)
    response = _page(client, funded)
    page = response.content.decode()
    assert "Calculé par la plateforme" in page and "Pré-remplir avec les chiffres de la plateforme" in page
    for name in NAMES:
        for part in name.split(" "):
            assert part not in page
    rows = {r["label"]: r["computed"] for r in response.context["computed_rows"]}
    assert rows["Personnes touchées"] == 15 and rows["dont résident·es des QPV"] == 11
    assert rows["dont jeunes (moins de 26 ans)"] is None and "secret" in page

    report = Report.objects.get(application=funded)
    client.post(
        f"/appels-a-projets/dossiers/{funded.pk}/bilan/",
        {"version": report.version, "narrative": "Brouillon", "young": "7", "prefill": "1"},
    )
    report.refresh_from_db()
    assert report.narrative == "Brouillon" and report.young == 7  # typed: kept
    assert report.qpv_residents == 11 and report.coordination_hours == Decimal("5")  # filled
    assert report.women is None and report.people_in_training_or_employment is None  # secret: left empty


def test_instructors_validating_see_declared_and_exact_figures(client, world, funded):
    report = Report.objects.get(application=funded)
    report.qpv_residents, report.young = 14, 6
    report.save(update_fields=["qpv_residents", "young"])
    login_as(client, world.coordinator)
    response = _page(client, funded)
    assert "Examen par la coordination" in response.content.decode()
    rows = {r["label"]: (r["declared"], r["computed"]) for r in response.context["computed_rows"]}
    assert rows["dont résident·es des QPV"] == (14, 11)
    assert rows["dont jeunes (moins de 26 ans)"] == (6, 6)
    assert rows["dont seniors (50 ans et plus)"] == (None, 4)
    assert rows["Personnes accédant ou maintenues en formation ou en emploi"] == (None, 2)


def test_the_api_report_carries_the_computed_figures(world, funded):
    def computed(membership):
        response = ApiClient(Client(), make_token(membership)).get(f"/applications/{funded.pk}/report")
        assert response.status_code == 200, response.json()
        return response.json()["computed"]

    holder = computed(world.holder)
    assert set(holder) == {
        "starts_on", "ends_on", "protected", "threshold", "service_id", "roadmap_action_id", "people",
        "qpv_residents", "young", "women", "seniors", "in_training_or_employment", "events",
        "hours_delivered", "coordination_hours",
    }  # fmt: skip
    assert (holder["starts_on"], holder["ends_on"]) == ("2026-03-01", "2026-09-30")
    assert holder["protected"] is True and holder["threshold"] == 11
    assert (holder["people"], holder["qpv_residents"], holder["young"], holder["women"]) == (
        15,
        11,
        None,
        None,
    )
    assert holder["seniors"] is None and holder["in_training_or_employment"] is None
    assert Decimal(holder["hours_delivered"]) == Decimal("8.5") and holder["events"] == 2

    coordination = computed(world.coordinator)
    assert coordination["protected"] is False and coordination["threshold"] is None
    assert (coordination["young"], coordination["women"], coordination["seniors"]) == (6, 9, 4)
    assert coordination["in_training_or_employment"] == 2
    assert Decimal(coordination["coordination_hours"]) == Decimal("5")
    link = FundedActionLink.objects.get(application=funded)
    assert (coordination["service_id"], coordination["roadmap_action_id"]) == (
        link.service_id,
        link.roadmap_action_id,
    )
