from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.core.concurrency import StaleEdit
from citemploi.core.models import AuditEvent
from citemploi.tracking import queries, services
from citemploi.tracking.models import DEFAULT_DAYS_WITHOUT_CONTACT, FollowUpCheck, JournalEntry
from citemploi.tracking.tasks import remind_due_checks
from tests.factories import ctx_for
from tests.tracking.helpers import entry, job_outcome, person_of


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 5, 10), -7, date(2024, 10, 10)),
    ],
)
def test_add_months(day, months, expected):
    assert services.add_months(day, months) == expected


def test_job_outcome_gets_checks_at_3_6_12_months(world):
    person = person_of(world)
    outcome = job_outcome(world, person, date(2025, 8, 31))
    assert [(c.months, c.due_on) for c in outcome.checks.order_by("months")] == [
        (3, date(2025, 11, 30)),
        (6, date(2026, 2, 28)),
        (12, date(2026, 8, 31)),
    ]
    assert AuditEvent.objects.filter(code="outcome.create", beneficiary_id=person.pk).count() == 1


@pytest.mark.parametrize("kind", ["civic_service", "return_to_studies", "no_solution"])
def test_other_outcomes_get_no_check(world, kind):
    outcome = job_outcome(world, person_of(world), date(2025, 8, 31), type=kind, contract_type="")
    assert outcome.checks.count() == 0


@pytest.mark.parametrize(
    ("kind", "contract", "months", "field"),
    [
        ("sustainable_job", "cdd", 3, "contract_months"),
        ("sustainable_job", "cdd", None, "contract_months"),
        ("sustainable_job", "temping", None, "contract_type"),
        ("transition_job", "cdi", None, "contract_type"),
        ("transition_job", "cdd", 6, "contract_months"),
    ],
)
def test_contract_must_match_the_outcome_type(world, kind, contract, months, field):
    person = person_of(world)
    with pytest.raises(ValidationError) as exc:
        job_outcome(
            world, person, date(2025, 8, 31), type=kind, contract_type=contract, contract_months=months
        )
    assert field in exc.value.message_dict
    assert person.outcomes.count() == 0 and FollowUpCheck.objects.count() == 0


def test_outcome_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        job_outcome(world, person_of(world), timezone.localdate() + timedelta(days=1))


def test_outcomes_are_recorded_by_the_responsible_structure_only(world):
    person = person_of(world)
    with pytest.raises(PermissionDenied):
        job_outcome(world, person, date(2025, 8, 31), membership=world.referent_ml)
    job_outcome(world, person, date(2025, 8, 31), membership=world.coordinator)


def test_record_check_once_when_due(world):
    person = person_of(world)
    today = timezone.localdate()
    outcome = job_outcome(world, person, services.add_months(today, -7))
    ctx = ctx_for(world.referent_ft)
    three, six, twelve = outcome.checks.order_by("months")
    with pytest.raises(ValidationError, match="à faire à partir"):
        services.record_check(ctx=ctx, check=twelve, situation="same_job")
    with pytest.raises(ValidationError):
        services.record_check(ctx=ctx, check=six, situation="nonsense")
    recorded = services.record_check(
        ctx=ctx, check=six, situation="job_seeking", comment="Fin de période d'essai"
    )
    assert recorded.still_in_job_or_training is False and recorded.recorded_on == today
    assert services.record_check(ctx=ctx, check=three, situation="other_job").still_in_job_or_training is True
    with pytest.raises(ValidationError, match="déjà enregistré"):
        services.record_check(ctx=ctx, check=six, situation="same_job")
    assert list(queries.checks_due_for(ctx)) == []


def test_sensitive_text_needs_confirmation_and_nothing_is_written_before(world):
    person = person_of(world)
    with pytest.raises(services.SensitiveTextWarning) as exc:
        entry(world, person, text="Hospitalisé la semaine dernière")
    assert set(exc.value.findings) == {"text"}
    assert JournalEntry.objects.count() == 0
    with pytest.raises(services.SensitiveTextWarning) as exc:
        entry(world, person, private_note="Suivi SPIP")
    assert set(exc.value.findings) == {"private_note"}
    saved = entry(world, person, text="Hospitalisé la semaine dernière", confirm_sensitive=True)
    assert saved.sensitive_confirmed
    event = AuditEvent.objects.get(code="journal.create")
    assert event.changes["sensitive_confirmed"] == [None, ["santé"]]
    assert "Hospitalisé" not in str(event.changes)


def test_entry_in_the_future_or_empty_is_refused(world):
    person = person_of(world)
    with pytest.raises(ValidationError):
        entry(world, person, occurred_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError):
        entry(world, person, text="   ")
    with pytest.raises(ValidationError):
        entry(world, person, kind="gossip")


def test_only_the_author_edits_with_a_version_check(world):
    person = person_of(world)
    mine = entry(world, person, private_note="à rappeler")
    with pytest.raises(PermissionDenied):
        services.edit_entry(
            ctx=ctx_for(world.coordinator),
            entry=mine,
            kind="visit",
            occurred_on=mine.occurred_on,
            text="changé",
            private_note="",
            expected_version=1,
        )
    ctx = ctx_for(world.referent_ft)
    edited = services.edit_entry(
        ctx=ctx,
        entry=mine,
        kind="visit",
        occurred_on=mine.occurred_on,
        text="Visite",
        private_note="",
        expected_version=1,
    )
    assert edited.version == 2 and edited.kind == "visit"
    event = AuditEvent.objects.get(code="journal.update")
    assert event.changes["fields"] == ["kind", "private_note", "text"]
    with pytest.raises(StaleEdit):
        services.edit_entry(
            ctx=ctx,
            entry=mine,
            kind="phone",
            occurred_on=mine.occurred_on,
            text="x",
            private_note="",
            expected_version=1,
        )
    assert JournalEntry.objects.get(pk=mine.pk).kind == "visit"


def test_a_correcting_entry_belongs_to_the_same_journal(world):
    person, other = person_of(world), person_of(world)
    wrong = entry(world, person)
    with pytest.raises(ValidationError):
        entry(world, other, corrects=wrong)
    fix = entry(world, person, corrects=wrong, text="Le contact était le 6 janvier")
    assert fix.corrects_id == wrong.pk


def test_settings_created_on_demand_and_edited_by_the_coordinator(world):
    assert queries.days_without_contact(world.cite.pk) == DEFAULT_DAYS_WITHOUT_CONTACT
    ctx = ctx_for(world.coordinator)
    with pytest.raises(PermissionDenied):
        services.update_settings(ctx=ctx_for(world.referent_ft), days_without_contact=45)
    with pytest.raises(ValidationError):
        services.update_settings(ctx=ctx, days_without_contact=2)
    saved = services.update_settings(ctx=ctx, days_without_contact=45, expected_version=1)
    assert saved.version == 2 and queries.days_without_contact(world.cite.pk) == 45
    assert queries.days_without_contact(world.other_cite.pk) == DEFAULT_DAYS_WITHOUT_CONTACT
    with pytest.raises(StaleEdit):
        services.update_settings(ctx=ctx, days_without_contact=20, expected_version=1)
    assert AuditEvent.objects.get(code="tracking.settings").changes == {"days_without_contact": [30, 45]}


def test_daily_job_mails_each_referent_once_per_check_without_names(world):
    today = timezone.localdate()
    person = person_of(world, first_name="Awa", last_name="Diallo")
    job_outcome(world, person, services.add_months(today, -7))  # 3 and 6 months due
    other = person_of(world, referent=world.referent_ml.user, responsible_structure=world.ml)
    job_outcome(world, other, services.add_months(today, -4), membership=world.referent_ml)  # 3 months due
    job_outcome(world, person_of(world), today - timedelta(days=10))  # nothing due yet
    assert remind_due_checks.call() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.referent_ft.user.email, world.referent_ml.user.email}
    assert "2 points de suivi" in by_recipient[world.referent_ft.user.email].body
    assert "1 point de suivi" in by_recipient[world.referent_ml.user.email].body
    assert all("Diallo" not in m.body and "Awa" not in m.body for m in mail.outbox)
    mail.outbox.clear()
    assert remind_due_checks.call() == 0
    assert mail.outbox == []
    # A check falling due later is announced on its own.
    FollowUpCheck.objects.filter(outcome__beneficiary=person, months=12).update(due_on=today)
    assert remind_due_checks.call() == 1
    assert "1 point de suivi" in mail.outbox[0].body
