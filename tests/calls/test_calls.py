"""Calls: creation with the usual conditions, publication, rules edited from the catalogue, cloning from
last year's, the public list."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.calls import queries
from citemploi.calls.enums import CallStatus
from citemploi.calls.services import calls as services
from citemploi.calls.timing import PARIS, paris_datetime
from citemploi.core.models import AuditEvent
from tests.calls.factories import CallFactory
from tests.factories import ctx_for


def test_a_new_call_starts_in_draft_with_the_usual_conditions(world):
    call = services.create_call(ctx=ctx_for(world.coordinator), data={"year": 2024, "title": "AAP 2024"})
    assert (
        call.status == CallStatus.DRAFT and call.cite == world.cite and call.grantor_name == world.cite.name
    )
    assert call.rules.count() == 13 and call.criteria.count() == 4 and call.required_documents.count() == 5
    holder = call.rules.get(rule_type="holder_kind")
    assert holder.params == {"kinds": ["association", "commune_epci"]}
    assert call.rules.get(rule_type="file_complete").params["parts"][0] == "identification"
    empty = services.create_call(
        ctx=ctx_for(world.coordinator), data={"year": 2024, "title": "Vide"}, with_defaults=False
    )
    assert not empty.rules.exists()
    with pytest.raises(PermissionDenied):
        services.create_call(ctx=ctx_for(world.steering), data={"year": 2024, "title": "x"})


def test_publication_needs_dates_and_a_text(world):
    ctx = ctx_for(world.coordinator)
    call = services.create_call(ctx=ctx, data={"year": 2024, "title": "AAP 2024"})
    with pytest.raises(ValidationError) as exc:
        services.publish_call(ctx=ctx, call=call)
    assert "fixez les dates" in exc.value.messages[0] and "rédigez" in exc.value.messages[0]
    services.update_call(
        ctx=ctx,
        call=call,
        data={
            "opens_at": paris_datetime(date(2024, 5, 5), time(9, 0)),
            "closes_at": paris_datetime(date(2024, 5, 22), time(23, 59)),
            "summary": "Innovez pour l'emploi",
        },
        expected_version=1,
    )
    with pytest.raises(services.StaleEdit):
        services.update_call(ctx=ctx, call=call, data={"title": "x"}, expected_version=1)
    call.refresh_from_db()
    published = services.publish_call(ctx=ctx, call=call)
    assert published.status == CallStatus.PUBLISHED
    assert list(queries.public_calls()) == [published]
    with pytest.raises(ValidationError, match="La clôture doit suivre"):
        services.update_call(
            ctx=ctx, call=published, data={"closes_at": paris_datetime(date(2024, 5, 1), time(0, 0))}
        )


def test_drafts_are_for_the_coordination_only(world):
    draft = CallFactory(cite=world.cite, draft=True, with_defaults=False)
    published = CallFactory(cite=world.cite, with_defaults=False)
    assert set(queries.calls_for(ctx_for(world.coordinator))) == {draft, published}
    assert list(queries.calls_for(ctx_for(world.holder))) == [published]
    assert list(queries.calls_for(ctx_for(world.national))) == [published]
    assert not queries.calls_for(ctx_for(world.other_coordinator)).exists()
    assert list(queries.public_calls()) == [published]


def test_rules_are_edited_from_the_catalogue_with_checked_parameters(world):
    ctx = ctx_for(world.coordinator)
    call = CallFactory(cite=world.cite, draft=True, with_defaults=False)
    rule = services.add_rule(
        ctx=ctx,
        call=call,
        rule_type="title_prefix",
        params={"prefix": "CITE EMPLOI-"},
        severity="blocking",
        message="Exigé par Dauphin",
    )
    assert rule.params == {"prefix": "CITE EMPLOI-", "ignore_case": True}
    with pytest.raises(ValidationError) as exc:
        services.add_rule(
            ctx=ctx, call=call, rule_type="objectives_count", params={"min": 3, "max": 2}, severity="blocking"
        )
    assert "le minimum dépasse le maximum" in exc.value.message_dict["params"][0]
    with pytest.raises(ValidationError):
        services.add_rule(ctx=ctx, call=call, rule_type="inconnu", params={}, severity="blocking")
    services.update_rule(
        ctx=ctx, rule=rule, params={"prefix": "CITE EMPLOI-", "ignore_case": False}, severity="warning"
    )
    rule.refresh_from_db()
    assert rule.severity == "warning" and rule.params["ignore_case"] is False
    services.delete_rule(ctx=ctx, rule=rule)
    assert not call.rules.exists()
    codes = list(
        AuditEvent.objects.filter(object_id=str(call.pk)).values_list("code", flat=True).order_by("id")
    )
    assert codes == ["call.rule_add", "call.rule_update", "call.rule_delete"]


def test_clone_from_last_year_shifts_dates_and_copies_rules_grid_and_documents(world):
    ctx = ctx_for(world.coordinator)
    source = CallFactory(cite=world.cite, amiens_2023=True, status=CallStatus.ARCHIVED)
    source.rules.filter(rule_type="action_dates_in_year").update(params={"year": 2023})
    clone = services.clone_call(ctx=ctx, source=source)
    assert clone.status == CallStatus.DRAFT and clone.year == 2024 and clone.cloned_from == source
    assert clone.title == "Appel à projets Cité de l'Emploi d'Amiens Métropole 2024"
    closes = clone.closes_at.astimezone(PARIS)
    assert (closes.date(), closes.hour, closes.minute) == (date(2024, 5, 22), 23, 59)
    assert clone.rules.count() == source.rules.count()
    assert clone.rules.get(rule_type="action_dates_in_year").params == {"year": 2024}
    assert [c.label for c in clone.criteria.all()] == [c.label for c in source.criteria.all()]
    assert clone.criteria.get(is_bonus=True).weight == Decimal(1)
    assert [d.code for d in clone.required_documents.all()] == [
        d.code for d in source.required_documents.all()
    ]
    assert clone.envelope == source.envelope and clone.themes == source.themes


def test_a_closed_call_is_reopened_with_a_reason_and_a_new_deadline(world):
    ctx = ctx_for(world.coordinator)
    call = CallFactory(cite=world.cite, closed_yesterday=True, with_defaults=False)
    with pytest.raises(ValidationError, match="repoussez la date"):
        services.publish_call(ctx=ctx, call=call, reason="Prolongation")
    with pytest.raises(PermissionDenied):
        services.update_call(ctx=ctx, call=call, data={"title": "x"})
    archived = services.archive_call(ctx=ctx, call=call)
    assert archived.status == CallStatus.ARCHIVED


def test_scoring_grid_descriptors_match_the_scale(world):
    ctx = ctx_for(world.coordinator)
    call = CallFactory(cite=world.cite, draft=True, with_defaults=False)
    with pytest.raises(ValidationError, match="un descripteur par niveau"):
        services.save_criterion(
            ctx=ctx,
            call=call,
            data={"label": "Impact", "weight": Decimal(2), "max_score": 3, "descriptors": ["a", "b"]},
        )
    criterion = services.save_criterion(
        ctx=ctx,
        call=call,
        data={
            "label": "Impact",
            "weight": Decimal(2),
            "max_score": 2,
            "descriptors": ["Faible", "Moyen", "Fort"],
        },
    )
    assert criterion.descriptor(2) == "Fort" and criterion.descriptor(5) == ""
