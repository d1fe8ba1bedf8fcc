"""Erasure on request: a coordinator erases a person; every domain erases its part; statistics keep an
anonymous row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.cohorts.models import CohortMember
from citemploi.core.models import AuditEvent
from citemploi.orientations.models import Orientation
from citemploi.partnership.models.events import Participation
from citemploi.pathways.models import BarrierRecord, Objective, PlanAction
from citemploi.people.enums import ErasureBasis
from citemploi.people.erasure import erase_person
from citemploi.people.models import Beneficiary, Consent, ErasureRequest, SensitiveInfo
from citemploi.tracking.models import JournalEntry, Outcome
from tests.factories import ctx_for
from tests.people.full_person import JOURNAL_TEXT, full_person

REASON = "La personne a retiré son consentement par courrier du 3 mars."


def test_a_coordinator_erases_every_domain_and_keeps_an_anonymous_row(world):
    full = full_person(world)
    pk = full.person.pk
    request = erase_person(
        ctx=ctx_for(world.coordinator),
        beneficiary=full.person,
        legal_basis=ErasureBasis.CONSENT_WITHDRAWN,
        reason=REASON,
    )
    for model in (JournalEntry, Outcome, BarrierRecord, Objective, PlanAction, Orientation, CohortMember):
        assert not model.objects.filter(beneficiary_id=pk).exists(), model
    assert not Consent.objects.filter(beneficiary_id=pk).exists()
    assert not SensitiveInfo.objects.filter(beneficiary_id=pk).exists()
    # The event keeps its anonymous participation; the person keeps an anonymous row for the figures.
    participation = Participation.objects.get(pk=full.participation.pk)
    assert participation.beneficiary_id is None and participation.qpv_resident
    row = Beneficiary.objects.get(pk=pk)
    assert row.anonymised_at is not None and row.last_name == "anonymisée" and row.qpv_id == world.qpv.pk
    assert request.rows["tracking"] >= 2 and request.erased_by == world.coordinator.user
    event = AuditEvent.objects.get(code="beneficiary.erase", beneficiary_id=pk)
    assert event.changes["legal_basis"] == ErasureBasis.CONSENT_WITHDRAWN
    dumped = str(list(AuditEvent.objects.filter(beneficiary_id=pk).values_list("changes", flat=True)))
    assert full.person.last_name not in dumped and JOURNAL_TEXT not in dumped
    assert ErasureRequest.objects.count() == 1


@pytest.mark.parametrize("persona", ["referent_ft", "partner_member_ft", "steering", "other_coordinator"])
def test_only_the_cites_coordinators_erase(world, persona):
    full = full_person(world)
    with pytest.raises(PermissionDenied):
        erase_person(
            ctx=ctx_for(getattr(world, persona)),
            beneficiary=full.person,
            legal_basis=ErasureBasis.OBJECTION,
            reason=REASON,
        )
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is None


def test_a_reason_and_a_legal_basis_are_required(world):
    full = full_person(world)
    ctx = ctx_for(world.coordinator)
    with pytest.raises(ValidationError, match="20 caractères"):
        erase_person(ctx=ctx, beneficiary=full.person, legal_basis=ErasureBasis.OBJECTION, reason="parce que")
    with pytest.raises(ValidationError, match="fondement"):
        erase_person(ctx=ctx, beneficiary=full.person, legal_basis="whim", reason=REASON)
    assert JournalEntry.objects.filter(beneficiary=full.person).exists()


def test_the_erasure_screen(client, world):
    from tests.conftest import login_as

    full = full_person(world)
    login_as(client, world.coordinator)
    url = f"/personnes/{full.person.pk}/effacer/"
    assert client.get(url).status_code == 200
    missing_confirmation = client.post(url, {"legal_basis": ErasureBasis.OBJECTION, "reason": REASON})
    assert missing_confirmation.status_code == 200
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is None
    done = client.post(url, {"legal_basis": ErasureBasis.OBJECTION, "reason": REASON, "confirm": "on"})
    assert done.status_code == 302
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is not None
    assert client.get(f"/personnes/{full.person.pk}/").status_code == 404


def test_the_erasure_screen_is_the_coordinators(client, world):
    from tests.conftest import login_as

    full = full_person(world)
    for membership in (world.referent_ft, world.other_coordinator):
        login_as(client, membership)
        response = client.post(
            f"/personnes/{full.person.pk}/effacer/",
            {"legal_basis": ErasureBasis.OBJECTION, "reason": REASON, "confirm": "on"},
        )
        assert response.status_code in (403, 404)
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is None
