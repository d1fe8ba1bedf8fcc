"""A funded action enters the directory and the roadmap when its agreement is signed, once per file."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citemploi.calls.enums import ApplicationStatus, InstallmentKind
from citemploi.calls.integration import funded_actions
from citemploi.calls.models import FundedActionLink
from citemploi.calls.services import funded, funding
from citemploi.core.models import AuditEvent
from citemploi.offer.enums import ServiceNature
from citemploi.offer.models import Service
from citemploi.partners.models import Partnership
from citemploi.partnership.enums import Stake
from citemploi.partnership.models import RoadmapAction
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.conftest import login_as
from tests.factories import CommuneFactory, StructureFactory, ctx_for


def _signed(world, holder=None, title="CITE EMPLOI-Auto-école sociale", amount="12000"):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(
        call=call,
        holder=holder or world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal(amount),
        title=title,
    )
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx, app=app, starts_on=date(call.year, 6, 1), ends_on=date(call.year, 12, 1)
    )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    app.refresh_from_db()
    return app, agreement


def test_signing_the_agreement_creates_the_service_and_the_roadmap_action(world):
    world.qpv.communes.add(CommuneFactory(insee_code="80021", name="Amiens", department="80"))
    app, agreement = _signed(world)
    link = FundedActionLink.objects.get(application=app)
    assert link.complete and link.problems == ""

    service = Service.objects.get(pk=link.service_id)
    assert service.structure_id == world.asso.pk and service.name == "Auto-école sociale"
    assert service.nature == ServiceNature.AAP and service.funding_cite_id == world.cite.pk
    assert (service.opens_on, service.valid_until) == (agreement.starts_on, agreement.ends_on)
    assert [t.code for t in service.themes.all()] == ["mobilite"]
    assert [f"{a.kind}:{a.code}" for a in service.areas.all()] == ["commune:80021"]
    assert {p.code for p in service.publics.all()} == {"residents-qpv-frr", "jeunes", "femmes", "seniors"}
    assert app.reference in service.description

    action = RoadmapAction.objects.select_related("objective").get(pk=link.roadmap_action_id)
    assert action.objective.stake == Stake.SPECIFIC_OFFER and action.objective.cite_id == world.cite.pk
    assert action.objective.title == funded.objective_title(app.call.year)
    assert action.owner_id == world.asso.pk and action.due_on == agreement.ends_on
    # Both were written through their domains' services, as the coordinator, with their audit rows.
    codes = set(AuditEvent.objects.filter(actor=world.coordinator.user).values_list("code", flat=True))
    assert {"service.create", "roadmap.objective_create", "roadmap.action_create"} <= codes


def test_links_are_created_once_and_one_objective_per_year(world):
    app, _ = _signed(world)
    link = funded.link_funded_action(ctx=ctx_for(world.coordinator), app=app)
    assert FundedActionLink.objects.filter(application=app).count() == 1
    assert Service.objects.filter(structure=world.asso, nature=ServiceNature.AAP).count() == 1
    assert RoadmapAction.objects.filter(pk=link.roadmap_action_id).count() == 1
    second, _ = _signed(world, title="CITE EMPLOI-Garde d'enfants", amount="8000")
    other = FundedActionLink.objects.get(application=second)
    first_action = RoadmapAction.objects.get(pk=link.roadmap_action_id)
    assert RoadmapAction.objects.get(pk=other.roadmap_action_id).objective_id == first_action.objective_id


def test_a_holder_outside_the_partnership_gets_its_service_once_it_joins(world, client):
    outsider = StructureFactory(name="Association hors partenariat")
    app, _ = _signed(world, holder=outsider)
    link = FundedActionLink.objects.get(application=app)
    assert link.service_id is None and "n'est pas partenaire" in link.problems
    assert link.roadmap_action_id is not None  # the roadmap action exists, without a pilot
    assert RoadmapAction.objects.get(pk=link.roadmap_action_id).owner_id is None

    Partnership.objects.create(cite=world.cite, structure=outsider)
    login_as(client, world.coordinator)
    response = client.post(reverse("calls:funded_links", args=[app.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.complete and link.problems == ""
    assert Service.objects.get(pk=link.service_id).structure_id == outsider.pk


def test_only_a_funded_action_and_only_the_coordination_create_links(world):
    app = ApplicationFactory(
        call=CallFactory(cite=world.cite), holder=world.asso, complete=True, status=ApplicationStatus.SELECTED
    )
    with pytest.raises(PermissionDenied):
        funded.link_funded_action(ctx=ctx_for(world.coordinator), app=app)
    signed, _ = _signed(world)
    with pytest.raises(PermissionDenied):
        funded.link_funded_action(ctx=ctx_for(world.holder), app=signed)
    assert FundedActionLink.objects.filter(application=app).count() == 0


def test_funded_actions_expose_amounts_dates_and_links_in_constant_queries(world):
    app, agreement = _signed(world)
    funding.record_payment(
        ctx=ctx_for(world.coordinator),
        agreement=agreement,
        kind=InstallmentKind.ADVANCE,
        amount="6000",
        paid_on=timezone.localdate(),
    )
    link = FundedActionLink.objects.get(application=app)
    [action] = funded_actions(world.cite)
    assert (action.application_id, action.holder_id) == (app.pk, world.asso.pk)
    assert action.amount_granted == Decimal("12000") and action.amount_paid == Decimal("6000")
    assert action.signed_on == timezone.localdate() and action.starts_on == agreement.starts_on
    assert (action.service_id, action.roadmap_action_id) == (link.service_id, link.roadmap_action_id)

    with CaptureQueriesContext(connection) as one:
        funded_actions(world.cite)
    _signed(world, title="CITE EMPLOI-Deuxième action")
    _signed(world, title="CITE EMPLOI-Troisième action")
    with CaptureQueriesContext(connection) as three:
        assert len(funded_actions(world.cite)) == 3
    assert len(three) == len(one)


def test_the_file_page_shows_the_links(world, client):
    app, _ = _signed(world)
    link = FundedActionLink.objects.get(application=app)
    page = login_as(client, world.coordinator).get(reverse("calls:application_detail", args=[app.pk]))
    html = page.content.decode()
    assert "Action financée" in html
    assert reverse("offer:detail", args=[link.service_id]) in html
    assert reverse("partnership:roadmap") in html
    holder_page = login_as(client, world.holder).get(reverse("calls:application_detail", args=[app.pk]))
    assert "Action financée" in holder_page.content.decode()
    assert "Relancer" not in holder_page.content.decode()


def test_the_partnership_map_and_network_count_funded_actions(world):
    from citemploi.calls.models import ApplicationPartner
    from citemploi.partnership.mapping import COUNT_PROVIDERS
    from citemploi.partnership.network import EDGE_SOURCES

    app, _ = _signed(world)
    ApplicationPartner.objects.create(application=app, structure=world.ml, role="Prescription")
    ApplicationFactory(call=app.call, holder=world.asso, status=ApplicationStatus.REFUSED)
    source = next(s for s in EDGE_SOURCES if s.key == "calls")
    assert dict(source.pairs(world.cite.pk)) == {tuple(sorted((world.asso.pk, world.ml.pk))): 1}
    assert source.pairs(world.other_cite.pk) == {}
    provider = next(p for p in COUNT_PROVIDERS if p.key == "funded_actions")
    assert provider.counts(world.cite.pk, [world.asso.pk, world.ml.pk]) == {world.asso.pk: 1}


def test_the_roadmap_action_starts_with_the_advance_and_ends_with_the_closing(world):
    from citemploi.calls.enums import ReportStatus
    from citemploi.calls.models import Report
    from citemploi.partnership.enums import ActionStatus

    app, agreement = _signed(world)
    link = FundedActionLink.objects.get(application=app)
    assert RoadmapAction.objects.get(pk=link.roadmap_action_id).status == ActionStatus.PLANNED
    ctx = ctx_for(world.coordinator)
    funding.record_payment(
        ctx=ctx, agreement=agreement, kind=InstallmentKind.ADVANCE, amount="100", paid_on=timezone.localdate()
    )
    action = RoadmapAction.objects.get(pk=link.roadmap_action_id)
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.transitions.get().by_id == world.coordinator.user.pk
    # A second payment does not move it again.
    funding.record_payment(
        ctx=ctx, agreement=agreement, kind=InstallmentKind.ADVANCE, amount="100", paid_on=timezone.localdate()
    )
    assert RoadmapAction.objects.get(pk=link.roadmap_action_id).transitions.count() == 1

    Report.objects.filter(application=app).update(status=ReportStatus.VALIDATED)
    type(app).objects.filter(pk=app.pk).update(status=ApplicationStatus.REPORT_SUBMITTED)
    app.refresh_from_db()
    funding.close_application(ctx=ctx, app=app)
    assert RoadmapAction.objects.get(pk=link.roadmap_action_id).status == ActionStatus.DONE
