from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citemploi.pathways.models import BarrierRecord, HandOver, Objective, PlanAction, Situation
from tests.conftest import login_as
from tests.pathways.helpers import action, barrier, followed_by_ft, objective


@pytest.fixture
def person(world):
    return followed_by_ft(world)


def url(name, person, **kwargs):
    return reverse(f"pathways:{name}", kwargs={"pk": person.pk, **kwargs})


def test_the_person_file_shows_the_pathway_panel(client, world, person):
    barrier(world, person, code="mobilite")
    login_as(client, world.referent_ft)
    page = client.get(reverse("people:detail", kwargs={"pk": person.pk})).content.decode()
    assert "Diagnostic et plan d'action" in page
    assert "1 frein ouvert" in page
    assert url("detail", person) in page
    login_as(client, world.steering)
    assert client.get(reverse("people:detail", kwargs={"pk": person.pk})).status_code == 403


def test_the_pathway_page_hides_sensitive_barriers_from_the_coordination(client, world, person):
    situation = Situation.objects.get(code="ce-sante-restriction")
    barrier(world, person, code="sante-handicap", situation=situation)
    barrier(world, person, code="logement")
    login_as(client, world.referent_ft)
    own = client.get(url("detail", person)).content.decode()
    assert situation.label in own and "2 freins ouverts" in own
    login_as(client, world.coordinator)
    page = client.get(url("detail", person)).content.decode()
    assert situation.label not in page
    assert "Santé et/ou handicap" not in page
    assert "1 frein ouvert" in page


def test_the_pathway_page_query_count_does_not_grow_with_the_pathway(client, world, person):
    login_as(client, world.referent_ft)
    barrier(world, person, code="mobilite")
    action(world, objective(world, person))
    client.get(url("detail", person))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("detail", person)).status_code == 200
    for code in ("logement", "numerique", "precarite-financiere", "sante-handicap"):
        record = barrier(world, person, code=code)
        action(world, objective(world, person, title=f"Lever {code}", barriers=[record]))
    with CaptureQueriesContext(connection) as large:
        assert client.get(url("detail", person)).status_code == 200
    # one more for the audit row of the sensitive read
    assert len(large) == len(small) + 1
    assert len(small) == 19


def test_add_a_barrier_change_its_state_and_see_errors(client, world, person):
    login_as(client, world.referent_ft)
    form = client.get(url("barrier_create", person)).content.decode()
    assert "Santé et/ou handicap" in form  # the responsible référent may record it
    situation = Situation.objects.get(code="ce-mob-permis")
    response = client.post(
        url("barrier_create", person),
        {"barrier": "mobilite", "situation": situation.pk, "severity": "high", "source": "interview"},
    )
    assert response.status_code == 302
    record = BarrierRecord.objects.get(beneficiary=person)
    assert (record.situation, record.severity) == (situation, "high")
    wrong = client.post(
        url("barrier_create", person),
        {"barrier": "logement", "situation": situation.pk, "severity": "low", "source": "interview"},
    )
    assert wrong.status_code == 200
    assert "Cette situation ne correspond pas au frein choisi." in wrong.content.decode()
    prefix = f"barrier-{record.pk}"
    client.post(
        url("barrier_transition", person, barrier_pk=record.pk),
        {f"{prefix}-to_state": "not_addressed", f"{prefix}-version": record.version},
    )
    record.refresh_from_db()
    assert record.state == "identified"  # a reason is required
    client.post(
        url("barrier_transition", person, barrier_pk=record.pk),
        {
            f"{prefix}-to_state": "not_addressed",
            f"{prefix}-reason": "Refus",
            f"{prefix}-version": record.version,
        },
    )
    record.refresh_from_db()
    assert record.state == "not_addressed"
    edit = client.post(
        url("barrier_edit", person, barrier_pk=record.pk),
        {"severity": "low", "source": "partner", "comment": "Vu en atelier", "version": 1},
    )
    assert edit.status_code == 200
    assert "Rechargez la page" in edit.content.decode()


def test_the_coordination_is_not_offered_sensitive_barriers(client, world, person):
    login_as(client, world.coordinator)
    form = client.get(url("barrier_create", person)).content.decode()
    assert "Santé et/ou handicap" not in form
    assert "Démarches liées à une procédure judiciaire" not in form
    response = client.post(
        url("barrier_create", person), {"barrier": "sante-handicap", "severity": "low", "source": "interview"}
    )
    assert response.status_code == 200
    assert not BarrierRecord.objects.exists()


def test_plan_objectives_actions_and_overdue_flag(client, world, person):
    record = barrier(world, person)
    login_as(client, world.referent_ft)
    client.post(url("objective_create", person), {"title": "Passer le permis", "barriers": [record.pk]})
    obj = Objective.objects.get(beneficiary=person)
    assert list(obj.barriers.all()) == [record]
    late = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(
        url("action_create", person),
        {
            "objective": obj.pk,
            "title": "Inscription au code",
            "owner_structure": world.asso.pk,
            "due_on": late,
        },
    )
    assert response.status_code == 302
    act = PlanAction.objects.get(objective=obj)
    page = client.get(url("detail", person)).content.decode()
    assert "1 action en retard." in page and "En retard" in page
    prefix = f"action-{act.pk}"
    client.post(url("action_transition", person, action_pk=act.pk), {f"{prefix}-to_state": "done"})
    act.refresh_from_db()
    assert act.status == "done"
    prefix = f"objective-{obj.pk}"
    client.post(url("objective_transition", person, objective_pk=obj.pk), {f"{prefix}-to_state": "achieved"})
    obj.refresh_from_db()
    assert obj.status == "achieved"
    missing = client.post(url("action_create", person), {"title": "Sans objectif"})
    assert missing.status_code == 200
    assert "Ce champ est obligatoire." in missing.content.decode()


def test_orientation_link_only_when_the_orientation_screen_exists(client, world, person, monkeypatch):
    from tests.offer.factories import ServiceFactory

    service = ServiceFactory(structure=world.asso, driving_school=True)
    barrier(world, person)
    login_as(client, world.referent_ft)
    monkeypatch.setattr("citemploi.www.pathways.views._orientation_url", lambda: None)
    page = client.get(url("detail", person)).content.decode()
    assert "Auto-école sociale" in page and "Orienter" not in page
    monkeypatch.setattr("citemploi.www.pathways.views._orientation_url", lambda: "/orientations/nouvelle/")
    page = client.get(url("detail", person)).content.decode()
    assert f"/orientations/nouvelle/?beneficiary={person.pk}&amp;service={service.pk}" in page


def test_hand_over_form(client, world, person):
    login_as(client, world.referent_ft)
    assert client.get(url("handover", person)).status_code == 200
    refused = client.post(url("handover", person), {"to_structure": world.ml.pk, "reason": "Déménagement"})
    assert refused.status_code == 200
    assert "Ce champ est obligatoire." in refused.content.decode()
    done = client.post(
        url("handover", person),
        {
            "to_structure": world.ml.pk,
            "to_referent": world.referent_ml.user.pk,
            "reason": "Déménagement",
            "consent_given_on": timezone.localdate().isoformat(),
            "consent_method": "oral",
            "version": person.version,
        },
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("people:list")
    assert HandOver.objects.get().to_referent == world.referent_ml.user
    assert client.get(url("detail", person)).status_code == 404
    login_as(client, world.referent_ml)
    page = client.get(url("detail", person)).content.decode()
    assert "Déménagement" in page and world.ft.name in page
