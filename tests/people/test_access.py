"""Who sees whom (domain.md §6), rule by rule."""

from datetime import date

import pytest
from django.http import Http404

from citemploi.core.models import AuditEvent
from citemploi.people import queries, services
from tests.factories import BeneficiaryFactory, ctx_for, in_followup_group, with_sharing_consent

pytestmark = pytest.mark.django_db


def visible(membership):
    return set(queries.beneficiaries_for(ctx_for(membership)).values_list("pk", flat=True))


def test_referent_sees_people_their_structure_is_responsible_for(world):
    mine = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    other = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml)
    assert visible(world.referent_ft) == {mine.pk}
    assert visible(world.referent_ml) == {other.pk}


def test_followup_group_member_sees_the_person_only_while_sharing_consent_is_active(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    in_followup_group(person, world.ml)
    assert person.pk not in visible(world.referent_ml)
    consent = with_sharing_consent(person)
    assert person.pk in visible(world.referent_ml)
    services.withdraw_consent(ctx=ctx_for(world.referent_ft), consent=consent, withdrawn_on=date.today())
    assert person.pk not in visible(world.referent_ml)


def test_coordinator_sees_the_cite_but_not_another_cite(world):
    here = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.other_structure)
    assert visible(world.coordinator) == {here.pk}


@pytest.mark.parametrize(
    "persona", ["steering", "reviewer", "holder", "national", "partner_member", "commission_member"]
)
def test_roles_without_personal_access_see_nobody(world, persona):
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    assert visible(world.personas()[persona]) == set()


def test_sensitive_attributes_only_for_the_responsible_referent(world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    services.update_sensitive(ctx=ctx_for(world.referent_ft), beneficiary=person, values={"rqth": True})
    assert queries.sensitive_for(ctx_for(world.referent_ft), person).rqth is True
    assert queries.sensitive_for(ctx_for(world.coordinator), person) is None
    colleague = world.referent_ft.__class__.objects.create(
        user=world.coordinator.user, cite=world.cite, structure=world.ft, role="referent"
    )
    # Another référent of the same structure is not the responsible référent.
    assert queries.sensitive_for(ctx_for(colleague), person) is None


def test_sensitive_structure_is_masked_for_others(world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    in_followup_group(person, world.spip)
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    coordinator_view = [
        row.structure_label for row in queries.followup_group_for(ctx_for(world.coordinator), person)
    ]
    assert world.spip.name not in coordinator_view and world.ml.name in coordinator_view
    referent_view = [
        row.structure_label for row in queries.followup_group_for(ctx_for(world.referent_ft), person)
    ]
    assert world.spip.name in referent_view


def test_responsible_sensitive_structure_label_is_masked_for_coordinator(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.spip)
    assert (
        queries.responsible_structure_label(ctx_for(world.coordinator), person)
        == queries.MASKED_STRUCTURE_LABEL
    )


def test_absent_and_forbidden_give_the_same_404(world):
    other = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml)
    with pytest.raises(Http404):
        queries.access_beneficiary_for(ctx_for(world.referent_ft), other.pk)
    with pytest.raises(Http404):
        queries.access_beneficiary_for(ctx_for(world.referent_ft), 999999)
    with pytest.raises(Http404):
        queries.access_beneficiary_for(ctx_for(world.referent_ft), "abc")


def test_every_read_is_audited(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    queries.access_beneficiary_for(ctx_for(world.coordinator), person.pk)
    event = AuditEvent.objects.get(code="beneficiary.read")
    assert event.beneficiary_id == person.pk and event.actor == world.coordinator.user
    assert event.cite_id == world.cite.pk


def test_anonymised_people_are_invisible(world):
    from django.utils import timezone

    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, anonymised_at=timezone.now())
    assert person.pk not in visible(world.coordinator)


def test_remembered_access_checks_each_scope_once_and_keeps_the_answers_apart(
    world, django_assert_num_queries
):
    """The file page checks many actions on one person: with remember_access, one query per scope."""
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, referent=None)
    in_followup_group(person, world.ml)
    with_sharing_consent(person)
    ml = ctx_for(world.referent_ml)
    b = queries.access_beneficiary_for(ml, person.pk, log_read=False)
    queries.remember_access(ml, b)
    with django_assert_num_queries(0):
        # the follow-up group's structure reads the file (the scope just checked by access_beneficiary_for)
        assert queries.can(ml, "beneficiary.view", b)
        # editing is for the responsible structure only: the person's own fields answer, for both actions
        assert not queries.can(ml, "beneficiary.edit", b)
        assert not queries.can(ml, "beneficiary.consent", b)
    # another acting context gets its own answers, not the remembered ones
    ft = ctx_for(world.referent_ft)
    with django_assert_num_queries(0):
        assert queries.can(ft, "beneficiary.edit", b)
    # a follow-up group's reach is other rows (membership, consent): read once for the scope
    from_ft = queries.access_beneficiary_for(ft, person.pk, log_read=False)
    queries.remember_access(ft, from_ft)
    with django_assert_num_queries(1):
        assert queries.can(ml, "beneficiary.view", from_ft)
        assert queries.can(ml, "beneficiary.export", from_ft)
    # an instance that was not marked is checked each time
    with django_assert_num_queries(2):
        assert queries.can(ft, "beneficiary.edit", person)
        assert queries.can(ft, "beneficiary.edit", person)


def test_remembered_answers_are_the_database_answers_for_every_role_and_action(world):
    """What `can` answers from a remembered person's fields is what the database answers, for every persona
    and every action on people: followed by a group with or without consent, with or without a référent."""
    from citemploi.core.policy import POLICY

    grouped = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    in_followup_group(grouped, world.ml)
    with_sharing_consent(grouped)
    no_consent = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml, referent=None)
    in_followup_group(no_consent, world.ft)
    elsewhere = BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.other_structure)
    actions = [a for a in POLICY if a.startswith("beneficiary.")]
    personas = list(world.personas().values()) + [world.referent_ft, world.referent_ml, world.coordinator]
    readers = [world.coordinator, world.referent_ft, world.referent_ml]
    for person in (grouped, no_consent, elsewhere):
        for reader in readers:
            reader_ctx = ctx_for(reader)
            if not queries.can(reader_ctx, "beneficiary.view", person):
                continue
            remembered = queries.access_beneficiary_for(reader_ctx, person.pk, log_read=False)
            queries.remember_access(reader_ctx, remembered)
            for membership in personas:
                ctx = ctx_for(membership)
                for action in actions:
                    assert queries.can(ctx, action, remembered) == queries.can(ctx, action, person), (
                        person,
                        membership.role,
                        action,
                    )


def test_access_beneficiary_for_answers_what_the_scoped_queryset_answers_for_every_role_and_action(world):
    """The file is read by key and the scope's rule applied to the person's fields (the database answers for a
    follow-up group): for every persona and action on people, found exactly when `beneficiaries_for` holds the
    person, and 404 otherwise (anonymised, out of scope, follow-up group without consent)."""
    from django.utils import timezone

    from citemploi.core.policy import POLICY

    grouped = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    in_followup_group(grouped, world.ml)
    with_sharing_consent(grouped)
    no_consent = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml, referent=None)
    in_followup_group(no_consent, world.ft)
    elsewhere = BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.other_structure)
    anonymised = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, anonymised_at=timezone.now()
    )
    actions = [a for a in POLICY if a.startswith("beneficiary.")]
    personas = list(world.personas().values()) + [world.referent_ft, world.referent_ml, world.coordinator]
    checked = 0
    for person in (grouped, no_consent, elsewhere, anonymised):
        for membership in personas:
            ctx = ctx_for(membership)
            for action in actions:
                if not ctx.can(action):
                    continue
                expected = queries.beneficiaries_for(ctx, action).filter(pk=person.pk).exists()
                try:
                    found = (
                        queries.access_beneficiary_for(ctx, person.pk, action, log_read=False).pk == person.pk
                    )
                except Http404:
                    found = False
                assert found == expected, (person, membership.role, action)
                checked += 1
    assert checked > 50
