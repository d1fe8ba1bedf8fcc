from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.core.models import AuditEvent
from citemploi.people import services
from citemploi.people.models import age_band_on
from tests.factories import BeneficiaryFactory, ctx_for

pytestmark = pytest.mark.django_db

IDENTITY = {"first_name": "Élodie", "last_name": "Lefèvre", "birth_date": date(1990, 5, 17)}


def test_identity_key_ignores_accents_case_punctuation_and_order():
    a = services.identity_key("Élodie", "Lefèvre-Martin", date(1990, 5, 17))
    b = services.identity_key("ELODIE", "lefevre martin", date(1990, 5, 17))
    c = services.identity_key("Lefevre Martin", "elodie", date(1990, 5, 17))
    assert a == b == c
    assert a != services.identity_key("Élodie", "Lefèvre-Martin", date(1990, 5, 18))


def test_referent_creates_for_their_structure_and_becomes_referent(world):
    b = services.create_beneficiary(ctx=ctx_for(world.referent_ft), data=IDENTITY)
    assert b.responsible_structure == world.ft and b.referent == world.referent_ft.user
    assert b.cite == world.cite and b.invisible_at_identification is True
    assert AuditEvent.objects.filter(code="beneficiary.create", beneficiary_id=b.pk).exists()


def test_registered_person_is_not_invisible(world):
    b = services.create_beneficiary(ctx=ctx_for(world.referent_ft), data=IDENTITY | {"ft_registered": True})
    assert b.invisible_at_identification is False


def test_coordinator_must_choose_a_partner_structure(world):
    with pytest.raises(ValidationError):
        services.create_beneficiary(ctx=ctx_for(world.coordinator), data=IDENTITY)
    with pytest.raises(ValidationError):
        services.create_beneficiary(
            ctx=ctx_for(world.coordinator), data=IDENTITY, responsible_structure=world.other_structure
        )
    b = services.create_beneficiary(
        ctx=ctx_for(world.coordinator), data=IDENTITY, responsible_structure=world.ml
    )
    assert b.responsible_structure == world.ml


def test_duplicate_is_proposed_instead_of_created(world):
    existing = services.create_beneficiary(ctx=ctx_for(world.referent_ft), data=IDENTITY)
    with pytest.raises(services.DuplicateIdentity) as exc:
        services.create_beneficiary(
            ctx=ctx_for(world.referent_ft),
            data={"first_name": "elodie", "last_name": "LEFEVRE", "birth_date": date(1990, 5, 17)},
        )
    assert exc.value.existing == existing and exc.value.visible is True
    # Another structure learns that a file exists, not whose it is.
    with pytest.raises(services.DuplicateIdentity) as exc2:
        services.create_beneficiary(ctx=ctx_for(world.referent_ml), data=IDENTITY)
    assert exc2.value.visible is False
    # A true homonym can be confirmed.
    homonym = services.create_beneficiary(ctx=ctx_for(world.referent_ml), data=IDENTITY, allow_duplicate=True)
    assert homonym.pk != existing.pk


def test_same_identity_in_another_cite_is_not_a_duplicate(world):
    services.create_beneficiary(ctx=ctx_for(world.referent_ft), data=IDENTITY)
    services.create_beneficiary(ctx=ctx_for(world.other_referent), data=IDENTITY)


def test_stale_edit_is_refused_and_nothing_is_lost(world):
    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    services.update_beneficiary(
        ctx=ctx_for(world.referent_ft), beneficiary=b, data={"phone": "0639980001"}, expected_version=1
    )
    with pytest.raises(services.StaleEdit):
        services.update_beneficiary(
            ctx=ctx_for(world.coordinator), beneficiary=b, data={"phone": "0639980002"}, expected_version=1
        )
    b.refresh_from_db()
    assert b.phone == "0639980001" and b.version == 2


def test_update_writes_old_and_new_values(world):
    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, phone="")
    services.update_beneficiary(ctx=ctx_for(world.referent_ft), beneficiary=b, data={"phone": "0639980001"})
    event = AuditEvent.objects.get(code="beneficiary.update")
    assert event.changes == {"phone": ["", "0639980001"]}


def test_followup_group_member_cannot_edit(world):
    from tests.factories import in_followup_group, with_sharing_consent

    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    in_followup_group(b, world.ml)
    with_sharing_consent(b)
    with pytest.raises(PermissionDenied):
        services.update_beneficiary(ctx=ctx_for(world.referent_ml), beneficiary=b, data={"phone": "x"})


def test_consent_cannot_be_in_the_future_nor_withdrawn_twice(world):
    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    ctx = ctx_for(world.referent_ft)
    with pytest.raises(ValidationError):
        services.record_consent(
            ctx=ctx, beneficiary=b, scope="sharing", method="oral", given_on=date(2999, 1, 1)
        )
    consent = services.record_consent(
        ctx=ctx, beneficiary=b, scope="sharing", method="oral", given_on=date.today()
    )
    services.withdraw_consent(ctx=ctx, consent=consent)
    with pytest.raises(ValidationError):
        services.withdraw_consent(ctx=ctx, consent=consent)


def test_followup_group_rejects_non_partner_and_responsible_structure(world):
    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    ctx = ctx_for(world.referent_ft)
    with pytest.raises(ValidationError):
        services.add_followup_member(ctx=ctx, beneficiary=b, structure=world.other_structure)
    with pytest.raises(ValidationError):
        services.add_followup_member(ctx=ctx, beneficiary=b, structure=world.ft)
    services.add_followup_member(ctx=ctx, beneficiary=b, structure=world.ml)
    with pytest.raises(ValidationError):
        services.add_followup_member(ctx=ctx, beneficiary=b, structure=world.ml)


@pytest.mark.parametrize(
    ("birth", "on", "band"),
    [
        (date(2000, 6, 2), date(2026, 6, 1), "jeunes"),
        (date(2000, 6, 1), date(2026, 6, 1), "26-49"),
        (date(1976, 6, 2), date(2026, 6, 1), "26-49"),
        (date(1976, 6, 1), date(2026, 6, 1), "seniors"),
    ],
)
def test_age_band_on_the_date_of_the_fact(birth, on, band):
    assert age_band_on(birth, on) == band
