"""Access helpers of the tracking domain: the only way screens, the API and exports read journals,
outcomes and checks.

Rules:
- the journal and the outcomes of a person are read by those the policy allows on that person
  (`journal.view`, `outcome.view`), through citemploi.people.queries;
- a private note is returned to its author only: other readers' querysets never load it;
- entries written by a sensitive structure (probation, addiction care…) are left out for those who must not
  learn that the person is followed there (same rule as the person's file).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.people import queries as people_queries
from citemploi.people.models import Beneficiary
from citemploi.tracking.models import (
    DEFAULT_DAYS_WITHOUT_CONTACT,
    FollowUpCheck,
    JournalEntry,
    Outcome,
    TrackingSettings,
)


def settings_for(cite_id: int) -> TrackingSettings:
    """The cité's settings, created with the defaults the first time."""
    found, _ = TrackingSettings.objects.get_or_create(cite_id=cite_id)
    return found


def days_without_contact(cite_id: int | None) -> int:
    """The cité's threshold of days without contact (the default when never set); one query, no write."""
    if cite_id is None:
        return DEFAULT_DAYS_WITHOUT_CONTACT
    value = TrackingSettings.objects.filter(cite_id=cite_id).values_list("days_without_contact", flat=True)
    return next(iter(value), DEFAULT_DAYS_WITHOUT_CONTACT)


def _sees_everything_of(ctx: ActingContext, beneficiary: Beneficiary) -> bool:
    """The responsible référent also sees what sensitive structures wrote (as on the person's file)."""
    return (
        ctx.user.pk is not None
        and beneficiary.referent_id == ctx.user.pk
        and beneficiary.responsible_structure_id == ctx.structure_id
    )


def entries_for(ctx: ActingContext, beneficiary: Beneficiary) -> QuerySet[JournalEntry]:
    """The journal entries of a person this context may read (the caller checked `journal.view` on the
    person). `own_note` carries the private note for its author and "" for everyone else; the stored note
    itself is deferred, so that no other reader's query loads it."""
    qs = JournalEntry.objects.filter(beneficiary=beneficiary)
    if not _sees_everything_of(ctx, beneficiary):
        qs = qs.filter(
            Q(structure__isnull=True) | Q(structure__sensitive=False) | Q(structure_id=ctx.structure_id)
        )
    return (
        qs.select_related("author", "structure", "corrects")
        .defer("private_note", "corrects__private_note")
        .annotate(
            own_note=Case(
                When(author_id=ctx.user.pk, then=F("private_note")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .order_by("-occurred_on", "-id")
    )


def access_journal_for(ctx: ActingContext, pk: int | str, action: str = "journal.view") -> Beneficiary:
    """The person whose journal is read or written; 404 when absent or out of reach (read audited)."""
    return people_queries.access_beneficiary_for(ctx, pk, action)


def access_entry_for(ctx: ActingContext, beneficiary: Beneficiary, entry_pk: int | str) -> JournalEntry:
    try:
        return entries_for(ctx, beneficiary).get(pk=entry_pk)
    except (JournalEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc


@dataclass(frozen=True)
class JournalRow:
    entry: JournalEntry
    #: the private note, for its author only ("" for everyone else)
    private_note: str
    can_edit: bool


def journal_rows(ctx: ActingContext, entries: list[JournalEntry], may_write: bool) -> list[JournalRow]:
    return [
        JournalRow(e, e.own_note, may_write and e.author_id == ctx.user.pk)  # type: ignore[attr-defined]
        for e in entries
    ]


def outcomes_for(beneficiary: Beneficiary) -> QuerySet[Outcome]:
    """The person's outcomes with their checks (the caller checked `outcome.view` on the person)."""
    return (
        Outcome.objects.filter(beneficiary=beneficiary)
        .select_related("recorded_by", "recorded_by_structure")
        .prefetch_related("checks")
        .order_by("-outcome_on", "-id")
    )


def due_checks(people: QuerySet[Beneficiary], today: date | None = None) -> QuerySet[FollowUpCheck]:
    """Checks that fell due and are not recorded yet, for the given (already scoped) people."""
    today = today or timezone.localdate()
    return (
        FollowUpCheck.objects.filter(
            outcome__beneficiary__in=people.values("pk"), recorded_on__isnull=True, due_on__lte=today
        )
        .select_related("outcome", "outcome__beneficiary")
        .order_by("due_on", "months", "id")
    )


def checks_due_for(ctx: ActingContext, today: date | None = None) -> QuerySet[FollowUpCheck]:
    """The checks due on the people this context may record outcomes for."""
    return due_checks(people_queries.beneficiaries_for(ctx, "outcome.record"), today)


def access_check_for(ctx: ActingContext, pk: int | str, action: str = "outcome.record") -> FollowUpCheck:
    """A check of a person this context may act on; 404 when absent or out of reach (read audited)."""
    try:
        check = (
            FollowUpCheck.objects.select_related("outcome", "outcome__beneficiary")
            .filter(outcome__beneficiary__in=people_queries.beneficiaries_for(ctx, action).values("pk"))
            .get(pk=pk)
        )
    except (FollowUpCheck.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc
    people_queries.access_beneficiary_for(ctx, check.outcome.beneficiary_id, action)
    return check
