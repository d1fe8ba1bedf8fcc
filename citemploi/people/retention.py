"""Retention (domain.md §6): files are anonymised after the cité's retention time without activity after
exit; people proposed but neither retained nor followed are deleted after a short delay.

Definitions (docs/guide/donnees-personnelles.md states them for users):

- **exit**: the latest outcome (sortie) recorded in the journal, or the latest exit from a cohort
  (each domain reports its exits through `people.lifecycle`);
- **activity**: the latest of the file's creation or update, a consent recorded, and every domain's
  follow-up activity (journal entries, outcomes and checks, barriers, objectives and actions,
  hand-overs, orientations, cohort memberships other than refusals, event participations);
- a person with an exit is **anonymised** on the day their last activity is `Cite.retention_months`
  months old (24 by default): exactly 24 months after a last activity on 15 March 2024 is 15 March 2026;
- a person whose every cohort proposal was declined, who has no exit and no follow-up activity, is
  **deleted** once the last refusal and the last update of their file are `DECLINED_DELAY_MONTHS` old.

Logs and reports carry counts per cité only, never names.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.models import AuditEvent
from citemploi.people import lifecycle
from citemploi.people.models import Beneficiary, Consent, RetentionRun, SensitiveInfo
from citemploi.territory.models import Cite

logger = logging.getLogger(__name__)

#: months after the last refusal before a person proposed but neither retained nor followed is deleted
DECLINED_DELAY_MONTHS: int = getattr(settings, "PEOPLE_DECLINED_DELAY_MONTHS", 3)

#: the file's fields emptied by anonymisation; gender, QPV and the situation codes stay for the figures
CLEARED_TEXT_FIELDS = ("email", "phone", "address", "postcode", "city", "identity_key")
ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    import calendar

    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _own_activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    rows: list = []
    rows += people.values_list("pk", "updated_at")
    rows += people.values_list("pk", "identified_on")
    rows += Consent.objects.filter(beneficiary__in=people).values_list("beneficiary_id", "recorded_at")
    return lifecycle.latest_dates(rows)


def last_activity(people: QuerySet[Beneficiary]) -> dict[int, date]:
    result = _own_activity(people)
    for pk, day in lifecycle.merged(people, "activity").items():
        if day > result.get(pk, date.min):
            result[pk] = day
    return result


@dataclass
class Plan:
    cite: Cite
    as_of: date
    to_anonymise: list[int] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)


def plan_for(cite: Cite, as_of: date) -> Plan:
    """Who the rules reach in the cité on `as_of`."""
    people = Beneficiary.objects.filter(cite=cite, anonymised_at__isnull=True)
    activity = last_activity(people)
    exits = lifecycle.merged(people, "exits")
    follow_up = lifecycle.merged(people, "activity")
    declined = lifecycle.merged(people, "declined")
    updated = lifecycle.latest_dates(people.values_list("pk", "updated_at"))
    plan = Plan(cite=cite, as_of=as_of)
    retention_limit = months_before(as_of, cite.retention_months)
    declined_limit = months_before(as_of, DECLINED_DELAY_MONTHS)
    for pk, exit_on in sorted(exits.items()):
        if max(activity.get(pk, exit_on), exit_on) <= retention_limit:
            plan.to_anonymise.append(pk)
    for pk, refused_on in sorted(declined.items()):
        if pk in exits or pk in follow_up:
            continue
        if refused_on <= declined_limit and updated.get(pk, date.min) <= declined_limit:
            plan.to_delete.append(pk)
    return plan


def scrub_audit(beneficiary_id: int) -> int:
    """The audit rows about the person keep who, when and what, but lose the values they recorded."""
    return AuditEvent.objects.filter(beneficiary_id=beneficiary_id).exclude(changes={}).update(changes={})


def anonymise_person(beneficiary: Beneficiary) -> dict[str, int]:
    """Delete identity, contact, free texts and sensitive data; keep an anonymous row for the figures.

    The birth date is reduced to the 1st of January of the birth year (the age band stays computable);
    gender, QPV, situation codes and the responsible structure are kept. Every domain anonymises its part.
    """
    rows = lifecycle.anonymise_all(beneficiary)
    rows["sensitive"] = SensitiveInfo.objects.filter(beneficiary=beneficiary).delete()[0]
    for name in CLEARED_TEXT_FIELDS:
        setattr(beneficiary, name, "")
    beneficiary.first_name = ANONYMOUS_FIRST_NAME
    beneficiary.last_name = ANONYMOUS_LAST_NAME
    if beneficiary.birth_date is not None:
        beneficiary.birth_date = date(beneficiary.birth_date.year, 1, 1)
    beneficiary.referent = None
    beneficiary.anonymised_at = timezone.now()
    beneficiary.save(
        update_fields=[
            *CLEARED_TEXT_FIELDS,
            "first_name",
            "last_name",
            "birth_date",
            "referent",
            "anonymised_at",
            "updated_at",
        ]
    )
    rows["audit"] = scrub_audit(beneficiary.pk)
    return rows


def delete_person(beneficiary: Beneficiary) -> dict[str, int]:
    """Delete the person's file and every domain's rows (anonymous statistic rows are detached)."""
    rows = lifecycle.erase_all(beneficiary)
    rows["audit"] = scrub_audit(beneficiary.pk)
    rows["people"] = beneficiary.delete()[0]
    return rows


def apply_retention(
    cite: Cite, *, as_of: date | None = None, dry_run: bool = False, via: str = "task"
) -> RetentionRun:
    """Apply the retention rules to one cité; each person in their own transaction; a report row kept."""
    as_of = as_of or timezone.localdate()
    plan = plan_for(cite, as_of)
    run = RetentionRun(
        cite=cite,
        as_of=as_of,
        dry_run=dry_run,
        retention_months=cite.retention_months,
        declined_delay_months=DECLINED_DELAY_MONTHS,
        via=via,
    )
    if not dry_run:
        for pk in plan.to_anonymise:
            with transaction.atomic():
                person = (
                    Beneficiary.objects.select_for_update().filter(pk=pk, anonymised_at__isnull=True).first()
                )
                if person is None:
                    continue
                anonymise_person(person)
                audit.log(None, "beneficiary.anonymise", person, beneficiary_id=pk, cite_id=cite.pk)
                run.anonymised += 1
        for pk in plan.to_delete:
            with transaction.atomic():
                person = (
                    Beneficiary.objects.select_for_update().filter(pk=pk, anonymised_at__isnull=True).first()
                )
                if person is None:
                    continue
                delete_person(person)
                audit.log(None, "beneficiary.retention_delete", beneficiary_id=pk, cite_id=cite.pk)
                run.deleted += 1
    else:
        run.anonymised = len(plan.to_anonymise)
        run.deleted = len(plan.to_delete)
    run.save()
    audit.log(
        None,
        "people.retention_run",
        run,
        cite_id=cite.pk,
        changes={"dry_run": dry_run, "anonymised": run.anonymised, "deleted": run.deleted},
    )
    logger.info(
        "retention applied",
        extra={"cite": cite.slug, "dry_run": dry_run, "anonymised": run.anonymised, "deleted": run.deleted},
    )
    return run


def apply_retention_everywhere(
    *, as_of: date | None = None, dry_run: bool = False, via: str = "task"
) -> list[RetentionRun]:
    return [
        apply_retention(cite, as_of=as_of, dry_run=dry_run, via=via) for cite in Cite.objects.order_by("slug")
    ]
