"""The cohort and commission screens: what each role sees, the proposal, the session, the minutes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citemploi.cohorts import services
from citemploi.cohorts.enums import CommissionOutcome, MemberState
from citemploi.cohorts.models import Cohort, CommissionSession
from citemploi.core.models import AuditEvent, AuditSubject
from tests.cohorts.builders import candidate_person, open_cohort, proposed, session_with
from tests.conftest import login_as
from tests.factories import ctx_for


@pytest.fixture
def cohort(world):
    return open_cohort(world)


@pytest.fixture
def scene(world, cohort):
    """Two candidates: one proposed by France Travail (on the agenda), one by the Mission locale (not)."""
    ft_member = proposed(world, cohort, person=candidate_person(world, first_name="Awa", last_name="Diallo"))
    ml_person = candidate_person(
        world, structure=world.ml, referent=world.referent_ml, first_name="Inès", last_name="Moreau"
    )
    ml_member = proposed(world, cohort, person=ml_person, referent=world.referent_ml)
    session = session_with(world, cohort, [ft_member])
    return ft_member, ml_member, session


def test_coordinator_creates_and_opens_a_cohort(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        reverse("cohorts:create"),
        {
            "name": "Jeunes en CEJ",
            "target_public": "Jeunes de moins de 26 ans en contrat d'engagement jeune",
            "age_band": "jeunes",
            "gender": "",
            "qpv_residents_only": "on",
            "schemes": ["cej"],
            "followed_by_kind": "mission_locale",
            "criteria_text": "",
            "target_size": "30",
            "start_date": "2024-01-15",
            "end_date": "2024-12-31",
            "referent_structures": [world.ml.pk],
        },
    )
    cohort = Cohort.objects.get(name="Jeunes en CEJ")
    assert response.status_code == 302 and cohort.schemes == ["cej"] and cohort.state == "draft"
    assert list(cohort.referent_structures.all()) == [world.ml]
    client.post(reverse("cohorts:state", args=[cohort.pk]), {"state": "open"})
    cohort.refresh_from_db()
    assert cohort.state == "open"


def test_cohort_form_errors_are_linked_to_their_fields(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        reverse("cohorts:create"),
        {
            "name": "",
            "target_public": "x",
            "target_size": "5",
            "start_date": "2024-05-01",
            "end_date": "2024-01-01",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-describedby="id_name-messages"' in body
    assert "La date de fin doit suivre la date de début." in body


def test_referent_proposes_from_the_cohort_page_and_consent_is_required(client, world, cohort):
    from tests.factories import BeneficiaryFactory

    without = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    login_as(client, world.referent_ft)
    response = client.post(
        reverse("cohorts:propose", args=[cohort.pk]), {"beneficiary": without.pk, "reason": "Motivé"}
    )
    assert response.status_code == 200
    assert "accord pour être présentée en commission" in response.content.decode()
    person = candidate_person(world)
    response = client.post(
        reverse("cohorts:propose", args=[cohort.pk]), {"beneficiary": person.pk, "reason": "Motivée"}
    )
    assert response.status_code == 302
    assert cohort.members.get().beneficiary == person


def test_file_panel_lists_memberships_and_links_the_proposal(client, world, cohort):
    member = proposed(world, cohort)
    login_as(client, world.referent_ft)
    body = client.get(reverse("people:detail", args=[member.beneficiary_id])).content.decode()
    assert "Femmes demandeuses d&#x27;emploi de longue durée" in body
    assert reverse("cohorts:propose_person", args=[member.beneficiary_id]) in body
    other = open_cohort(world, name="Jeunes en CEJ")
    response = client.post(
        reverse("cohorts:propose_person", args=[member.beneficiary_id]),
        {"cohort": other.pk, "reason": "Projet CEJ"},
    )
    assert response.status_code == 302
    assert other.members.get().proposing_structure == world.ft


def test_coordinator_sees_every_candidate_and_the_funnel(client, world, scene):
    login_as(client, world.coordinator)
    body = client.get(reverse("cohorts:detail", args=[scene[2].cohorts.get().pk])).content.decode()
    assert "Awa D." in body and "Inès M." in body
    assert AuditSubject.objects.filter(event__code="cohort.members_read").count() == 2


def test_referent_sees_only_their_structure_candidates_and_others_as_counts(client, world, scene):
    ft_member, ml_member, session = scene
    login_as(client, world.referent_ml)
    body = client.get(reverse("cohorts:detail", args=[ft_member.cohort_id])).content.decode()
    assert "Inès M." in body and "Awa" not in body
    assert "2 proposées" in body


def test_commission_member_sees_only_agenda_candidates_with_minimal_data(client, world, scene):
    ft_member, ml_member, session = scene
    login_as(client, world.commission_member)
    body = client.get(reverse("cohorts:detail", args=[ft_member.cohort_id])).content.decode()
    assert "Awa D." in body and "Inès" not in body
    assert "Diallo" not in body and reverse("people:detail", args=[ft_member.beneficiary_id]) not in body
    body = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert "Awa D." in body and "Inscrite depuis 18 mois" in body and "Diallo" not in body
    assert "Inès" not in body
    assert client.get(reverse("people:detail", args=[ft_member.beneficiary_id])).status_code == 403


def test_steering_sees_figures_only(client, world, scene):
    login_as(client, world.steering)
    body = client.get(reverse("cohorts:detail", args=[scene[0].cohort_id])).content.decode()
    assert "Awa" not in body and "Inès" not in body
    assert "pas aux personnes" in body


def test_other_cite_and_unconvened_get_404(client, world, scene):
    ft_member, _, session = scene
    login_as(client, world.other_coordinator)
    assert client.get(reverse("cohorts:detail", args=[ft_member.cohort_id])).status_code == 404
    assert client.get(reverse("cohorts:session_detail", args=[session.pk])).status_code == 404
    login_as(client, world.referent_ml)  # not convened
    assert client.get(reverse("cohorts:session_detail", args=[session.pk])).status_code == 404
    assert client.get(reverse("cohorts:minutes", args=[session.pk])).status_code == 404


def test_draft_cohorts_are_for_the_coordination_only(client, world):
    draft = services.create_cohort(
        ctx=ctx_for(world.coordinator),
        data={"name": "Brouillon", "target_public": "x", "target_size": 5, "start_date": date(2024, 1, 1)},
    )
    login_as(client, world.referent_ft)
    assert client.get(reverse("cohorts:detail", args=[draft.pk])).status_code == 404


def test_coordinator_creates_a_session_decides_and_closes_it(client, world, cohort):
    member = proposed(world, cohort)
    login_as(client, world.coordinator)
    response = client.post(
        reverse("cohorts:session_create"),
        {
            "title": "Commission de juin",
            "held_on": "2024-06-10",
            "place": "Maison de l'emploi",
            "chair": "",
            "cohorts": [cohort.pk],
            "convened": [world.coordinator.pk, world.commission_member.pk, world.referent_ft.pk],
            "present": [world.coordinator.pk, world.referent_ft.pk],
            "agenda": [member.pk],
        },
    )
    session = CommissionSession.objects.get()
    assert response.status_code == 302
    body = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert "Récusé·e" in body  # the FT référent is present and FT proposed the candidate
    client.post(
        reverse("cohorts:decide", args=[session.pk, member.pk]),
        {"outcome": "integrated", "reason": "Profil adapté"},
    )
    client.post(reverse("cohorts:session_close", args=[session.pk]))
    member.refresh_from_db()
    assert member.state == MemberState.INTEGRATED
    response = client.post(
        reverse("cohorts:decide", args=[session.pk, member.pk]), {"outcome": "waiting"}, follow=True
    )
    assert "verrouillées" in response.content.decode()
    assert session.decisions.get().outcome == CommissionOutcome.INTEGRATED
    assert client.get(reverse("cohorts:session_edit", args=[session.pk])).status_code == 302


def test_recused_chair_cannot_decide_through_the_screen(client, world, cohort):
    from tests.factories import member as make_member

    ft_commission = make_member(world.cite, "commission_member", world.ft)
    member = proposed(world, cohort)
    session = session_with(
        world, cohort, [member], convened=[world.coordinator, ft_commission], chair=ft_commission
    )
    login_as(client, ft_commission)
    body = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert "Vous êtes récusé·e pour cette candidature" in body
    response = client.post(
        reverse("cohorts:decide", args=[session.pk, member.pk]), {"outcome": "integrated"}, follow=True
    )
    assert "récusé·e" in response.content.decode()
    assert not session.decisions.exists()


def test_exit_form(client, world, cohort):
    member = proposed(world, cohort)
    session = session_with(world, cohort, [member])
    services.record_decision(
        ctx=ctx_for(world.coordinator), session=session, member=member, outcome=CommissionOutcome.INTEGRATED
    )
    services.close_session(ctx=ctx_for(world.coordinator), session=session)
    login_as(client, world.referent_ft)
    response = client.post(
        reverse("cohorts:exit", args=[member.pk]),
        {"reason": "other", "details": "", "exited_on": "2024-09-01"},
    )
    assert "Précisez le motif de sortie." in response.content.decode()
    response = client.post(
        reverse("cohorts:exit", args=[member.pk]),
        {"reason": "moved", "details": "", "exited_on": "2024-09-01"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MemberState.EXITED and member.exited_on == date(2024, 9, 1)
    login_as(client, world.referent_ml)
    assert client.get(reverse("cohorts:exit", args=[member.pk])).status_code == 404


def _cohort_page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_cohort_page_query_count_does_not_grow_with_candidates(client, world, cohort):
    proposed(world, cohort)
    session_with(world, cohort, list(cohort.members.all()))
    login_as(client, world.coordinator)
    url = reverse("cohorts:detail", args=[cohort.pk])
    few = _cohort_page_queries(client, url)
    for _ in range(5):
        proposed(world, cohort)
    assert _cohort_page_queries(client, url) == few
    assert few <= 22


def test_minutes_pdf_lists_present_members_recusals_and_decisions(client, world, scene):
    from citemploi.cohorts.minutes import minutes_context

    ft_member, _, session = scene
    services.record_decision(
        ctx=ctx_for(world.coordinator),
        session=session,
        member=ft_member,
        outcome=CommissionOutcome.NOT_RETAINED,
        not_retained_reason="full",
        reason="Reprendre en septembre",
    )
    context = minutes_context(ctx_for(world.coordinator), session)
    [line] = context["lines"]
    assert line.name == "Awa D." and line.decision == "Non retenu·e"
    assert line.reason == "Cohorte complète — Reprendre en septembre"
    assert line.structure == world.ft.name and len(line.recused) == 1
    assert len(context["present"]) == 3
    login_as(client, world.commission_member)
    response = client.get(reverse("cohorts:minutes", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(code="cohort.minutes_read").exists()


def test_file_panel_costs_one_query_and_is_hidden_from_commission_members(
    world, cohort, django_assert_num_queries
):
    from citemploi.cohorts.panels import build_panel

    member = proposed(world, cohort)
    with django_assert_num_queries(1):
        panel = build_panel(ctx_for(world.referent_ft), member.beneficiary)
    assert panel is not None and panel["can_propose"] and len(panel["memberships"]) == 1
    assert build_panel(ctx_for(world.commission_member), member.beneficiary) is None
    assert build_panel(ctx_for(world.referent_ml), member.beneficiary)["memberships"] == []
