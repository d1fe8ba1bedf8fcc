"""Retention: anonymise after the cité's retention time without activity after exit; delete people
proposed but neither retained nor followed after a short delay; dry run; report; audit; no names."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import CohortMember
from citemploi.core.models import AuditEvent
from citemploi.core.periodic import JOBS
from citemploi.orientations.models import Orientation
from citemploi.partnership.models.events import Participation
from citemploi.pathways.models import BarrierRecord
from citemploi.people.models import Beneficiary, RetentionRun, SensitiveInfo
from citemploi.people.retention import DECLINED_DELAY_MONTHS, apply_retention, months_before, plan_for
from citemploi.tracking.models import JournalEntry, Outcome
from tests.cohorts.builders import open_cohort, proposed
from tests.people.full_person import BARRIER_COMMENT, JOURNAL_TEXT, full_person
from tests.tracking.helpers import person_of


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


@pytest.fixture
def today():
    return timezone.localdate()


def test_months_before_keeps_the_day_or_takes_the_months_last_day():
    assert months_before(date(2026, 3, 15), 24) == date(2024, 3, 15)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 10), 1) == date(2025, 12, 10)
    assert months_before(date(2024, 2, 29), -12) == date(2025, 2, 28)


def test_a_person_is_anonymised_exactly_24_months_after_their_last_activity_after_exit(world, today):
    full = full_person(world)
    on_the_day = months_after(today, 24)

    assert full.person.pk not in plan_for(world.cite, on_the_day - timezone.timedelta(days=1)).to_anonymise
    run = apply_retention(world.cite, as_of=on_the_day - timezone.timedelta(days=1))
    assert run.anonymised == 0

    run = apply_retention(world.cite, as_of=on_the_day)
    assert run.anonymised == 1
    assert not run.dry_run
    person = Beneficiary.objects.get(pk=full.person.pk)
    assert person.anonymised_at is not None
    assert (person.first_name, person.last_name, person.email, person.phone, person.address) == (
        "Personne",
        "anonymisée",
        "",
        "",
        "",
    )
    assert person.birth_date == date(full.person.birth_date.year, 1, 1)
    assert person.qpv_id == world.qpv.pk and person.gender == full.person.gender
    assert person.referent_id is None
    assert not SensitiveInfo.objects.filter(beneficiary=person).exists()
    # Every domain anonymised its part; the anonymous facts remain for the figures.
    entry = JournalEntry.objects.get(pk=full.entry.pk)
    assert entry.text == "" and entry.private_note == ""
    assert BarrierRecord.objects.get(pk=full.barrier.pk).comment == ""
    assert Orientation.objects.get(pk=full.orientation.pk).message == ""
    assert CohortMember.objects.get(pk=full.member.pk).proposal_reason == ""
    assert Outcome.objects.get(pk=full.outcome.pk).employer == ""
    assert Participation.objects.filter(pk=full.participation.pk, beneficiary=person).exists()
    # The audit log keeps who and when, not the values.
    about = AuditEvent.objects.filter(beneficiary_id=person.pk)
    assert about.filter(code="beneficiary.anonymise").exists()
    dumped = str(list(about.values_list("changes", flat=True)))
    for secret in (full.person.last_name, JOURNAL_TEXT, BARRIER_COMMENT):
        assert secret not in dumped


def test_activity_after_exit_pushes_anonymisation_back(world, today):
    full = full_person(world)
    later = months_after(today, 10)
    Beneficiary.objects.filter(pk=full.person.pk).update(
        updated_at=timezone.now() + timezone.timedelta(days=300)
    )
    assert full.person.pk not in plan_for(world.cite, months_after(today, 24)).to_anonymise
    assert full.person.pk in plan_for(world.cite, months_after(later, 24)).to_anonymise


def test_a_person_without_exit_is_never_anonymised(world, today):
    person = person_of(world)
    assert apply_retention(world.cite, as_of=months_after(today, 120)).anonymised == 0
    assert Beneficiary.objects.get(pk=person.pk).anonymised_at is None


def test_the_retention_time_is_the_cites(world, today):
    full = full_person(world)
    world.cite.retention_months = 12
    world.cite.save(update_fields=["retention_months"])
    assert full.person.pk in plan_for(world.cite, months_after(today, 12)).to_anonymise


def _declined(world):
    member = proposed(world, open_cohort(world, structures=[world.ft]))
    CohortMember.objects.filter(pk=member.pk).update(state=MemberState.NOT_RETAINED)
    return member.beneficiary


def test_people_proposed_but_not_retained_nor_followed_are_deleted_after_the_delay(world, today):
    person = _declined(world)
    deadline = months_after(today, DECLINED_DELAY_MONTHS)
    assert apply_retention(world.cite, as_of=deadline - timezone.timedelta(days=1)).deleted == 0
    run = apply_retention(world.cite, as_of=deadline)
    assert run.deleted == 1
    assert not Beneficiary.objects.filter(pk=person.pk).exists()
    assert not CohortMember.objects.filter(beneficiary_id=person.pk).exists()
    assert AuditEvent.objects.filter(code="beneficiary.retention_delete", beneficiary_id=person.pk).exists()


def test_a_declined_person_who_is_followed_is_kept(world, today):
    from tests.tracking.helpers import entry

    person = _declined(world)
    entry(world, person)
    assert apply_retention(world.cite, as_of=months_after(today, 12)).deleted == 0
    assert Beneficiary.objects.filter(pk=person.pk).exists()


def test_a_person_still_in_a_cohort_is_not_deleted(world, today):
    member = proposed(world, open_cohort(world, structures=[world.ft]))
    assert apply_retention(world.cite, as_of=months_after(today, 12)).deleted == 0
    assert Beneficiary.objects.filter(pk=member.beneficiary_id).exists()


def test_a_dry_run_counts_and_changes_nothing(world, today):
    full = full_person(world)
    run = apply_retention(world.cite, as_of=months_after(today, 24), dry_run=True)
    assert (run.anonymised, run.dry_run) == (1, True)
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is None
    assert RetentionRun.objects.filter(cite=world.cite, dry_run=True).count() == 1


def test_the_command_reports_counts_per_cite_and_no_names(world, today, capsys, caplog):
    full = full_person(world)
    call_command("retention", "--dry-run", "--cite", world.cite.slug)
    out = capsys.readouterr().out
    assert out.startswith("amiens : 0 personne(s) seraient anonymisées")
    assert full.person.last_name not in out
    assert full.person.last_name not in caplog.text
    call_command("retention")
    out = capsys.readouterr().out
    assert "amiens : 0 personne(s) anonymisées" in out and "le-mans :" in out
    assert RetentionRun.objects.filter(dry_run=False).count() == 2


def test_the_command_refuses_an_unknown_cite(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="inconnue|Aucune cité"):
        call_command("retention", "--cite", "nowhere")


def test_the_retention_job_runs_daily(world):
    from citemploi.people.tasks import apply_retention as job

    assert JOBS["people.apply_retention"].every == "daily"
    assert job.call() == 0
    assert RetentionRun.objects.filter(via="task").count() == 2


def test_retention_never_touches_another_cite(world, today):
    full = full_person(world)
    run = apply_retention(world.other_cite, as_of=months_after(today, 240))
    assert run.anonymised == 0
    assert Beneficiary.objects.get(pk=full.person.pk).anonymised_at is None
