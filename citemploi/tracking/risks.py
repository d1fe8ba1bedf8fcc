"""The dropping-out risk signals this domain knows, registered in citemploi.people.risks.

- "Sans contact" — no contact, appointment or pathway step in the journal for the cité's number of days
  (30 by default), counted from the file's creation when the journal has none. A person whose latest outcome
  is later than their latest contact has left the pathway: their follow-up checks take over.
- "Point de suivi à faire" — a 3-, 6- or 12-month check fell due and is not recorded.

Each `find` only filters the queryset it receives (already restricted by the access helpers); each
`condition` is the same rule as a filter, EXISTS subqueries served by the indexes on (person, kind, date) of
the journal and (person, date) of the outcomes.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.people.models import Beneficiary
from citemploi.tracking.enums import CONTACT_KINDS
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome
from citemploi.tracking.queries import days_without_contact


def without_contact(ctx: ActingContext, people: QuerySet[Beneficiary]) -> dict[int, list[str]]:
    if not ctx.can("journal.view"):
        return {}
    threshold = days_without_contact(ctx.cite_id)
    today = timezone.localdate()
    last_contact = (
        JournalEntry.objects.filter(beneficiary=OuterRef("pk"), kind__in=CONTACT_KINDS)
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    last_outcome = (
        Outcome.objects.filter(beneficiary=OuterRef("pk")).order_by("-outcome_on").values("outcome_on")[:1]
    )
    rows = (
        people.order_by()
        .annotate(last_contact=Subquery(last_contact), last_outcome=Subquery(last_outcome))
        .values_list("pk", "last_contact", "last_outcome", "created_at")
    )
    found: dict[int, list[str]] = {}
    for pk, contact, outcome, created_at in rows:
        if outcome is not None and (contact is None or outcome >= contact):
            continue
        since = contact or timezone.localdate(created_at)
        elapsed = (today - since).days
        if elapsed < threshold:
            continue
        if contact is None:
            found[pk] = [f"Aucun contact noté depuis la création de la fiche, il y a {elapsed} jours"]
        else:
            found[pk] = [f"Sans contact depuis {elapsed} jours (dernier le {contact:%d/%m/%Y})"]
    return found


def _contacts_of(person: str) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(beneficiary=OuterRef(person), kind__in=CONTACT_KINDS)


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day`, in the project's time zone (created_at is compared in local dates)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def without_contact_condition(ctx: ActingContext) -> Q | None:
    """The rule of `without_contact` as a filter: no contact after the cut-off day, and a contact before it or
    a file created on or before it, and no outcome without a contact after it (one who left the pathway)."""
    if not ctx.can("journal.view"):
        return None
    cutoff = timezone.localdate() - timedelta(days=days_without_contact(ctx.cite_id))
    recent = Exists(_contacts_of("pk").filter(occurred_on__gt=cutoff))
    ever = Exists(_contacts_of("pk"))
    # an outcome with no contact after it: the latest outcome is on or after the latest contact (or no contact)
    left = Exists(
        Outcome.objects.filter(beneficiary=OuterRef("pk")).exclude(
            Exists(_contacts_of("beneficiary_id").filter(occurred_on__gt=OuterRef("outcome_on")))
        )
    )
    return ~Q(recent) & (Q(ever) | Q(created_at__lt=_start_of(cutoff + timedelta(days=1)))) & ~Q(left)


def check_due(ctx: ActingContext, people: QuerySet[Beneficiary]) -> dict[int, list[str]]:
    if not ctx.can("outcome.view"):
        return {}
    # the people's outcomes first (index on (person, date)), then their checks (index on (outcome, …)): not
    # every unrecorded check due in every cité
    outcomes = Outcome.objects.filter(beneficiary__in=people.order_by().values("pk")).values("pk")
    rows = FollowUpCheck.objects.filter(
        outcome__in=outcomes,
        recorded_on__isnull=True,
        due_on__lte=timezone.localdate(),
    ).values_list("outcome__beneficiary_id", "months", "due_on")
    found: dict[int, list[str]] = {}
    for beneficiary_id, months, due_on in sorted(rows, key=lambda r: (r[2], r[1])):
        found.setdefault(beneficiary_id, []).append(
            f"Point à {months} mois à faire depuis le {due_on:%d/%m/%Y}"
        )
    return found


def check_due_condition(ctx: ActingContext) -> Q | None:
    if not ctx.can("outcome.view"):
        return None
    # outcome by outcome (index on (person, date)), then its checks (index on (outcome, recorded, due)):
    # a join from the checks would start from every unrecorded check of every cité
    due = FollowUpCheck.objects.filter(
        outcome=OuterRef("pk"), recorded_on__isnull=True, due_on__lte=timezone.localdate()
    )
    return Q(Exists(Outcome.objects.filter(beneficiary=OuterRef("pk")).filter(Exists(due))))


def register() -> None:
    from citemploi.people.risks import RiskSignal, register_risk_signal

    register_risk_signal(
        RiskSignal(
            "tracking.no_contact",
            "Sans contact",
            without_contact,
            order=10,
            condition=without_contact_condition,
        )
    )
    register_risk_signal(
        RiskSignal(
            "tracking.check_due", "Point de suivi à faire", check_due, order=40, condition=check_due_condition
        )
    )
