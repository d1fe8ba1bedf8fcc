"""The référent's home page lists their people at risk of dropping out (hand-computed situations)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citemploi.people import risks
from citemploi.people.models import Beneficiary
from citemploi.tracking import services
from tests.conftest import login_as
from tests.factories import ctx_for
from tests.tracking.helpers import entry, job_outcome, person_of


def _created_days_ago(person, days):
    Beneficiary.objects.filter(pk=person.pk).update(created_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def only_tracking_signals(monkeypatch):
    """Other domains' signals run their own queries: the pinned count is this domain's."""
    mine = {code: s for code, s in risks._SIGNALS.items() if code.startswith("tracking.")}
    monkeypatch.setattr(risks, "_SIGNALS", mine)


@pytest.fixture
def situations(world):
    today = timezone.localdate()
    people = {}
    people["never"] = person_of(world, last_name="Aubert")
    _created_days_ago(people["never"], 60)
    people["old_contact"] = person_of(world, last_name="Bernard")
    _created_days_ago(people["old_contact"], 100)
    entry(world, people["old_contact"], occurred_on=today - timedelta(days=45))
    people["recent"] = person_of(world, last_name="Chevalier")
    _created_days_ago(people["recent"], 100)
    entry(world, people["recent"], occurred_on=today - timedelta(days=10), kind="appointment")
    people["event_only"] = person_of(world, last_name="Dupont")
    _created_days_ago(people["event_only"], 60)
    entry(world, people["event_only"], occurred_on=today - timedelta(days=5), kind="event")
    people["exited"] = person_of(world, last_name="Evrard")
    _created_days_ago(people["exited"], 400)
    entry(world, people["exited"], occurred_on=services.add_months(today, -8))
    job_outcome(world, people["exited"], services.add_months(today, -7))
    people["colleague"] = person_of(world, last_name="Fabre", referent=None)
    _created_days_ago(people["colleague"], 60)
    people["other_structure"] = person_of(
        world, last_name="Garnier", responsible_structure=world.ml, referent=world.referent_ml.user
    )
    _created_days_ago(people["other_structure"], 60)
    return people


def _rows(response):
    return {
        b.last_name: [(s.code, details) for s, details in signals]
        for b, signals in response.context["risks"]["rows"]
    }


def test_referent_sees_their_people_at_risk_with_signals(client, world, situations):
    today = timezone.localdate()
    login_as(client, world.referent_ft)
    response = client.get("/")
    assert response.status_code == 200
    three, six = services.add_months(services.add_months(today, -7), 3), services.add_months(today, -7)
    six = services.add_months(six, 6)
    assert _rows(response) == {
        "Aubert": [
            ("tracking.no_contact", ["Aucun contact noté depuis la création de la fiche, il y a 60 jours"])
        ],
        "Bernard": [
            (
                "tracking.no_contact",
                [f"Sans contact depuis 45 jours (dernier le {today - timedelta(days=45):%d/%m/%Y})"],
            )
        ],
        "Dupont": [
            ("tracking.no_contact", ["Aucun contact noté depuis la création de la fiche, il y a 60 jours"])
        ],
        "Evrard": [
            (
                "tracking.check_due",
                [
                    f"Point à 3 mois à faire depuis le {three:%d/%m/%Y}",
                    f"Point à 6 mois à faire depuis le {six:%d/%m/%Y}",
                ],
            )
        ],
    }
    content = response.content.decode()
    assert f'href="/personnes/{situations["never"].pk}/"' in content
    assert "Sans contact" in content and "Point de suivi à faire" in content


def test_switch_shows_the_whole_structure(client, world, situations):
    login_as(client, world.referent_ft)
    rows = _rows(client.get("/?structure=1"))
    assert set(rows) == {"Aubert", "Bernard", "Dupont", "Evrard", "Fabre"}


def test_threshold_comes_from_the_cite_settings(client, world, situations):
    services.update_settings(ctx=ctx_for(world.coordinator), days_without_contact=50)
    login_as(client, world.referent_ft)
    assert set(_rows(client.get("/"))) == {"Aubert", "Dupont", "Evrard"}


def test_recording_the_checks_and_a_contact_clears_the_signals(client, world, situations):
    ctx = ctx_for(world.referent_ft)
    for check in situations["exited"].outcomes.get().checks.filter(months__in=(3, 6)):
        services.record_check(ctx=ctx, check=check, situation="same_job")
    entry(world, situations["never"], occurred_on=timezone.localdate())
    login_as(client, world.referent_ft)
    rows = _rows(client.get("/"))
    assert set(rows) == {"Bernard", "Dupont"}


def test_coordinator_sees_the_count_of_the_cite(client, world, situations):
    login_as(client, world.coordinator)
    response = client.get("/")
    # Aubert, Bernard, Dupont, Evrard, Fabre (France Travail) and Garnier (Mission locale)
    assert response.context["cite_at_risk"] == 6
    assert response.context["risks"] is None
    assert "6 personnes de la cité" in response.content.decode()


@pytest.mark.parametrize("persona", ["partner_member_ft", "steering", "reviewer", "holder", "national"])
def test_other_roles_keep_their_figures_and_see_no_person(client, world, situations, persona):
    login_as(client, getattr(world, persona))
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["risks"] is None and response.context["cite_at_risk"] is None
    assert "Aubert" not in response.content.decode().upper().title()


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?structure=1")
    assert response.status_code == 200
    return len(queries), len(response.context["risks"]["rows"])


def test_query_count_is_pinned_and_constant_in_the_number_of_people(
    client, world, situations, only_tracking_signals
):
    login_as(client, world.referent_ft)
    few = _count(client)
    today = timezone.localdate()
    for n in range(8):
        p = person_of(world, last_name=f"Zed{n}")
        _created_days_ago(p, 90)
        entry(world, p, occurred_on=today - timedelta(days=70))
        job_outcome(world, person_of(world, last_name=f"Yann{n}"), services.add_months(today, -4))
    many = _count(client)
    assert few[1] == 5 and many[1] == 21
    # session, user, membership; the four figures; the cité's threshold (read by the filter and again by the
    # details); the ids of the people at risk, then the page's people; the two signals' details for them;
    # the audit event with its subjects in one transaction (savepoint, event, subjects, release: 4)
    assert few[0] == many[0] == 16


def _at_risk_person(world, n, today, service):
    """A person raising every signal: no contact for 70 days, a barrier left for 40 days, an orientation
    past its deadline and a 3-month check due."""
    from tests.orientations.factories import followed_by_ft, sent_by_ft
    from tests.pathways.helpers import barrier

    p = followed_by_ft(world, last_name=f"Risque{n:03d}", email=f"risque{n}@example.org")
    _created_days_ago(p, 400)
    entry(world, p, occurred_on=today - timedelta(days=70))
    barrier(world, p, code="mobilite", identified_on=today - timedelta(days=40))
    sent_by_ft(world, person=p, service=service, now=timezone.now() - timedelta(days=9))
    outcome = job_outcome(world, p, services.add_months(today, -4))
    entry(world, p, occurred_on=today - timedelta(days=70))  # a contact after the outcome: still followed
    return p, outcome


def test_home_page_reads_every_signal_in_the_same_number_of_queries_for_3_times_more_people(client, world):
    """No query per person: with every domain's signal, the page costs the same for N and 3N people at risk
    (the list is paginated; the details are read for the page's people only)."""
    today = timezone.localdate()
    from tests.orientations.factories import service_of

    service = service_of(world.ml, driving_school=True)
    login_as(client, world.referent_ft)
    for n in range(10):
        _at_risk_person(world, n, today, service)
    few = _count(client)
    for n in range(10, 30):
        _at_risk_person(world, n, today, service)
    many = _count(client)
    rows = client.get("/?structure=1").context["risks"]
    assert rows["page"].paginator.count == 30 and len(rows["rows"]) == 25
    # the first page's people each show the four signals
    codes = {s.code for _b, signals in rows["rows"] for s, _details in signals}
    assert codes == {
        "tracking.no_contact",
        "unaddressed_barrier",
        "orientation_unanswered",
        "tracking.check_due",
    }
    assert all(len(signals) == 4 for _b, signals in rows["rows"])
    assert few[1] == 10 and many[1] == 25
    assert few[0] == many[0]
