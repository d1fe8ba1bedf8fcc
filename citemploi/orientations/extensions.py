"""What the orientations add to other domains: a panel on the person's file, a dropping-out risk signal and an
edge source of the partnership network. Registered in OrientationsConfig.ready()."""

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.orientations import queries
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people import queries as people_queries
from citemploi.people.models import Beneficiary

#: an orientation still unanswered this close to its deadline is a risk signal
SOON_DAYS = 2
PANEL_ROWS = 20


def file_panel(ctx: ActingContext, beneficiary: Beneficiary) -> dict[str, Any] | None:
    """The person's orientations this user may see, and whether they may orient the person (2 queries)."""
    if not ctx.can("orientation.view"):
        return None
    rows = list(
        queries.orientations_for(ctx)
        .filter(beneficiary_id=beneficiary.pk)
        .select_related("receiving_structure")
        # the columns orientations/_file_panel.html shows, not the whole orientation and both structures
        .only("beneficiary_id", "service_name", "sent_at", "status", "receiving_structure__name")
        .order_by("-sent_at", "-id")[:PANEL_ROWS]
    )
    can_send = ctx.can("orientation.send") and people_queries.can(ctx, "orientation.send", beneficiary)
    if not rows and not can_send:
        return None
    return {"rows": rows, "can_send": can_send}


def _unanswered(ctx: ActingContext, now: datetime) -> QuerySet[Orientation]:
    """The visible orientations that raise the signal (served by the index on (person, status, deadline))."""
    return (
        queries.orientations_for(ctx)
        .filter(status__in=[Status.SENT, Status.EXPIRED])
        .exclude(status=Status.SENT, deadline__gt=now + timedelta(days=SOON_DAYS))
        .exclude(queries.has_newer(Orientation.objects.all()))
    )


def unanswered_condition(ctx: ActingContext) -> Q | None:
    """The rule of `unanswered` as a filter on people (an EXISTS per person)."""
    if not ctx.can("orientation.view"):
        return None
    now = timezone.now()
    mine = queries.orientations_for(ctx).filter(beneficiary=OuterRef("pk"))
    # one EXISTS per status, each served by the index on (person, status, deadline)
    due = mine.filter(status=Status.SENT, deadline__lte=now + timedelta(days=SOON_DAYS))
    expired = mine.filter(status=Status.EXPIRED)
    newer = queries.has_newer(Orientation.objects.all())
    return Q(Exists(due.exclude(newer))) | Q(Exists(expired.exclude(newer)))


def unanswered(ctx: ActingContext, people: QuerySet[Beneficiary]) -> dict[int, list[str]]:
    """« Orientation sans réponse »: sent and unanswered with the deadline passed or less than two days away,
    or expired with no newer orientation of the person (one query)."""
    now = timezone.now()
    # the people's orientations by the index on the person, then the rules on those rows only
    theirs = Orientation.objects.filter(beneficiary__in=people.order_by().values("pk")).values("pk")
    rows = (
        _unanswered(ctx, now)
        .filter(pk__in=theirs)
        .values_list("beneficiary_id", "pk", "status", "deadline", "service_name")
        .order_by("deadline", "pk")
    )
    found: dict[int, list[str]] = {}
    for beneficiary_id, pk, status, deadline, service in rows:
        day = timezone.localtime(deadline).strftime("%d/%m/%Y")
        if status == Status.EXPIRED:
            text = f"orientation n° {pk} vers « {service} » expirée le {day} sans nouvelle orientation"
        elif deadline <= now:
            text = f"orientation n° {pk} vers « {service} » sans réponse, échéance dépassée ({day})"
        else:
            text = f"orientation n° {pk} vers « {service} » sans réponse, échéance le {day}"
        found.setdefault(beneficiary_id, []).append(text)
    return found


def network_pairs(cite_id: int) -> Counter[tuple[int, int]]:
    """Sender structure ↔ receiving structure, counted over the cité's orientations. Orientations from or to a
    sensitive structure are left out: the network is seen by all partners, and a small count would tell a
    receiver which of its orientations came from the sensitive structure."""
    counts: Counter[tuple[int, int]] = Counter()
    rows = Orientation.objects.filter(
        cite_id=cite_id,
        sender_structure__isnull=False,
        sender_structure__sensitive=False,
        receiving_structure__sensitive=False,
    ).values_list("sender_structure_id", "receiving_structure_id")
    for a, b in rows:
        if a != b:
            counts[(min(a, b), max(a, b))] += 1
    return counts
