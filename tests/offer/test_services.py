"""Writes on services: who may write what, validation, freshness, audit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.offer import queries, services
from citemploi.offer.enums import ServiceNature
from citemploi.offer.models import EmptySearch, Service
from tests.factories import ctx_for
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db

BASE = {"name": "Auto-école sociale", "description": "Préparer le permis B à coût réduit."}


def test_coordinator_creates_a_service_for_any_partner_of_the_cite(world):
    service = services.create_service(
        ctx=ctx_for(world.coordinator),
        structure=world.asso,
        data=BASE
        | {"nature": ServiceNature.SPECIFIQUE, "capacity": 12, "mobilisable_par": ["professionnels"]},
        themes=["mobilite--preparer-un-permis"],
        publics=["residents-qpv-frr"],
        areas=["80021", "80", "france"],
    )
    assert service.structure == world.asso
    assert service.source == "citemploi" and service.source_id.startswith("citemploi--")
    assert service.last_updated_on == timezone.localdate()
    assert [a.code for a in service.areas.order_by("kind", "code")] == ["80021", "80", "france"]
    event = AuditEvent.objects.get(code="service.create", object_id=str(service.pk))
    assert event.cite_id == world.cite.pk and event.changes["themes"] == [
        [],
        ["mobilite--preparer-un-permis"],
    ]


def test_referent_creates_services_for_their_own_structure_only(world):
    ctx = ctx_for(world.referent_ft)
    own = services.create_service(ctx=ctx, structure=world.ft, data=BASE)
    assert own.structure == world.ft
    with pytest.raises(PermissionDenied):
        services.create_service(ctx=ctx, structure=world.ml, data=BASE)


@pytest.mark.parametrize("persona", ["steering", "reviewer", "commission_member", "holder", "national"])
def test_roles_without_edit_rights_cannot_create(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_service(ctx=ctx_for(getattr(world, persona)), structure=world.asso, data=BASE)


def test_another_cites_coordinator_cannot_touch_the_services(world):
    service = ServiceFactory(structure=world.ft)
    with pytest.raises(PermissionDenied):
        services.update_service(ctx=ctx_for(world.other_coordinator), service=service, data={"name": "Autre"})
    with pytest.raises(PermissionDenied):
        services.create_service(ctx=ctx_for(world.other_coordinator), structure=world.ft, data=BASE)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"themes": ["teleportation--apprendre"]},
            "themes",
            "Thématique inconnue : teleportation--apprendre.",
        ),
        ({"publics": ["martiens"]}, "publics", "Public inconnu : martiens."),
        ({"areas": ["Amiens"]}, "areas", "Code géographique « Amiens » invalide"),
        ({"data": BASE | {"mobilisable_par": ["voisins"]}}, "mobilisable_par", "Valeur inconnue : voisins."),
        (
            {"data": BASE | {"opens_on": date(2025, 3, 1), "valid_until": date(2025, 1, 1)}},
            "valid_until",
            "La date de fin de validité précède la date d'ouverture.",
        ),
        ({"data": BASE | {"email": "pas-une-adresse"}}, "email", "adresse de courriel valide"),
        ({"data": {"name": "AB", "description": "Trop court"}}, "name", "au moins 3 caractères"),
        ({"data": {"name": "Atelier", "description": "  "}}, "description", "Décrivez le service"),
    ],
)
def test_bad_values_are_refused_with_a_french_message_and_nothing_written(world, kwargs, field, message):
    kwargs = {"data": BASE} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.create_service(ctx=ctx_for(world.coordinator), structure=world.ft, **kwargs)
    assert field in exc.value.message_dict
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not Service.objects.exists()


def test_with_the_referential_unknown_sub_themes_are_refused(world, referential):
    with pytest.raises(ValidationError) as exc:
        services.create_service(
            ctx=ctx_for(world.coordinator), structure=world.ft, data=BASE, themes=["mobilite--teleporter"]
        )
    assert exc.value.message_dict["themes"] == ["Thématique inconnue : mobilite--teleporter."]


def test_an_aap_funded_service_is_tied_to_the_cite_funding_it(world):
    ctx = ctx_for(world.coordinator)
    service = services.create_service(
        ctx=ctx, structure=world.asso, data=BASE | {"nature": ServiceNature.AAP}
    )
    assert service.funding_cite == world.cite
    updated = services.update_service(ctx=ctx, service=service, data={"nature": ServiceNature.DROIT_COMMUN})
    assert updated.funding_cite is None


def test_an_update_makes_the_service_fresh_again_and_is_audited(world):
    service = ServiceFactory(structure=world.ft, stale=True, themes=["mobilite"])
    service.stale_reminded_at = timezone.now()
    service.save(update_fields=["stale_reminded_at"])
    updated = services.update_service(
        ctx=ctx_for(world.partner_member_ft),
        service=service,
        data={"capacity": 8},
        themes=["mobilite", "famille--garde-denfants"],
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.last_updated_on == timezone.localdate() and updated.stale_reminded_at is None
    event = AuditEvent.objects.get(code="service.update")
    assert event.changes["capacity"] == [None, 8]
    assert event.changes["themes"] == [["mobilite"], ["famille--garde-denfants", "mobilite"]]


def test_an_update_without_change_writes_nothing(world):
    service = ServiceFactory(structure=world.ft, stale=True)
    services.update_service(ctx=ctx_for(world.coordinator), service=service, data={"name": service.name})
    service.refresh_from_db()
    assert service.version == 1 and service.last_updated_on == date(2020, 1, 15)
    assert not AuditEvent.objects.filter(code="service.update").exists()


def test_a_concurrent_edit_is_refused(world):
    service = ServiceFactory(structure=world.ft)
    ctx = ctx_for(world.coordinator)
    services.update_service(ctx=ctx, service=service, data={"name": "Premier nom"}, expected_version=1)
    with pytest.raises(services.StaleEdit):
        services.update_service(ctx=ctx, service=service, data={"name": "Second nom"}, expected_version=1)
    service.refresh_from_db()
    assert service.name == "Premier nom"


def test_coordinator_moves_a_service_to_another_structure_of_the_cite(world):
    service = ServiceFactory(structure=world.ft)
    services.update_service(ctx=ctx_for(world.coordinator), service=service, data={}, structure=world.ml)
    service.refresh_from_db()
    assert service.structure == world.ml
    with pytest.raises(PermissionDenied):
        services.update_service(
            ctx=ctx_for(world.coordinator), service=service, data={}, structure=world.other_structure
        )


def test_confirming_a_stale_service_makes_it_fresh(world):
    service = ServiceFactory(structure=world.ft, stale=True)
    today = timezone.localdate()
    assert service.is_stale(today)
    services.confirm_up_to_date(ctx=ctx_for(world.referent_ft), service=service)
    service.refresh_from_db()
    assert not service.is_stale(today)
    assert AuditEvent.objects.filter(code="service.confirm", object_id=str(service.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.confirm_up_to_date(ctx=ctx_for(world.referent_ml), service=service)


def test_staleness_starts_six_months_after_the_last_update(world):
    today = date(2025, 9, 30)
    fresh = ServiceFactory(structure=world.ft, last_updated_on=date(2025, 3, 30))
    stale = ServiceFactory(structure=world.ft, last_updated_on=date(2025, 3, 29))
    assert not fresh.is_stale(today) and stale.is_stale(today)
    ctx = ctx_for(world.coordinator)
    assert list(queries.stale_services(ctx, today)) == [stale]
    assert list(queries.service_rows(ctx, {"stale": "non"}, today)) == [fresh]


def test_services_in_reach_follow_the_policy(world):
    ft = ServiceFactory(structure=world.ft)
    ml = ServiceFactory(structure=world.ml)
    other = ServiceFactory(structure=world.other_structure)
    assert set(queries.services_for(ctx_for(world.steering))) == {ft, ml}
    assert set(queries.services_for(ctx_for(world.national))) == {ft, ml, other}
    assert set(queries.services_for(ctx_for(world.referent_ft), "service.edit")) == {ft}
    assert set(queries.services_for(ctx_for(world.other_referent))) == {other}
    assert not queries.services_for(ctx_for(world.steering), "service.edit").exists()


def test_barrier_counts_of_the_cite(world):
    ServiceFactory(structure=world.ft, driving_school=True)
    ServiceFactory(structure=world.asso, french_course=True)
    ServiceFactory(structure=world.other_structure, driving_school=True)
    counts = {b.code: n for b, n in queries.barrier_counts(ctx_for(world.coordinator))}
    assert counts["mobilite"] == 1
    assert counts["langue-francaise"] == 1 and counts["savoirs-de-base"] == 1
    assert counts["logement"] == 0


def test_an_empty_search_is_counted_per_day_without_anything_about_who_asked(world):
    search = queries.Search(barrier="logement", public="jeunes", qpv=world.qpv)
    place = queries.resolve_place(None, world.qpv)
    services.record_empty_search(search, place)
    services.record_empty_search(search, place)
    services.record_empty_search(search, place, today=timezone.localdate() - timedelta(days=1))
    rows = EmptySearch.objects.order_by("searched_on")
    assert [r.count for r in rows] == [1, 2]
    assert rows[1].cite == world.cite and rows[1].qpv_code == "QN08003M"
    fields = {f.name for f in EmptySearch._meta.get_fields()}
    assert fields == {
        "id",
        "searched_on",
        "barrier",
        "theme",
        "public",
        "commune_code",
        "qpv_code",
        "cite",
        "count",
    }
    # A search with no criterion at all says nothing about a need: it is not counted.
    services.record_empty_search(queries.Search(), queries.Place())
    assert EmptySearch.objects.count() == 2
