"""Access helpers: the only way screens, the API, the file panel and the risk signal read orientations.

Rules (domain.md §3 Orientation, §6):
- the sending side (the sender's structure, and the cité's coordinators) sees the orientation; the person's
  file stays under the people rules (citemploi.people.queries);
- the receiving structure sees the orientation and the snapshot shared at sending, never the live file
  (unless the people rules already give it access), and no longer the snapshot once the person withdrew
  their consent to sharing;
- an orientation to a sensitive structure is seen, on the sending side, by its sender only: other members
  of the sending structure and coordinators must not learn that the person is oriented there;
- a sensitive sending structure is shown to anyone outside it as « un partenaire de la cité »;
- other structures and other cités get 404, like absent orientations.
Every read of a snapshot (a page, a list of names) is audited.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent, AuditSubject
from citemploi.core.policy import Scope
from citemploi.orientations.enums import Status
from citemploi.orientations.models import AnswerLink, Orientation, OrientationSettings
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Consent

MASKED_SENDER_LABEL = "Un partenaire de la cité"
COORDINATION_LABEL = "Coordination de la cité"
BOXES = ("sent", "received", "all")


def settings_for(cite_id: int) -> OrientationSettings:
    """The cité's settings (the defaults, unsaved, when the coordinators never changed them)."""
    found = OrientationSettings.objects.filter(cite_id=cite_id).first()
    return found or OrientationSettings(cite_id=cite_id)


def _sent_side(ctx: ActingContext) -> Q:
    """Orientations sent by the acting structure (or user); those to a sensitive structure: by the user only."""
    mine = Q(sender_id=ctx.user.pk)
    if ctx.structure_id is None:
        return mine
    return mine | (Q(sender_structure_id=ctx.structure_id) & Q(receiving_structure__sensitive=False))


def orientations_for(ctx: ActingContext | None, action: str = "orientation.view") -> QuerySet[Orientation]:
    """The orientations the acting context reaches for `action` (empty when denied)."""
    if ctx is None or ctx.membership is None or ctx.cite_id is None:
        return Orientation.objects.none()
    scope = ctx.scope(action)
    in_cite = Orientation.objects.filter(cite_id=ctx.cite_id)
    received = Q(receiving_structure_id=ctx.structure_id) if ctx.structure_id else Q(pk__in=[])
    if scope == Scope.CITE:
        return in_cite.filter(Q(receiving_structure__sensitive=False) | _sent_side(ctx) | received)
    if scope == Scope.STRUCTURE:
        return in_cite.filter(_sent_side(ctx) | received)
    if scope == Scope.RESPONSIBLE_STRUCTURE:
        return in_cite.filter(_sent_side(ctx))
    if scope == Scope.OWN_STRUCTURE and ctx.structure_id:
        return in_cite.filter(received)
    return Orientation.objects.none()


def in_box(ctx: ActingContext, qs: QuerySet[Orientation], box: str) -> QuerySet[Orientation]:
    """`sent`: sent by the acting structure (or user); `received`: received by it; `all`: everything in reach."""
    if box == "sent":
        return qs.filter(_sent_side(ctx))
    if box == "received":
        return qs.filter(receiving_structure_id=ctx.structure_id) if ctx.structure_id else qs.none()
    return qs


def boxes_for(ctx: ActingContext) -> list[str]:
    """The tabs of the list for this acting context, the default one first."""
    found = []
    if ctx.can("orientation.send"):
        found.append("sent")
    if ctx.can("orientation.answer"):
        found.append("received")
    if ctx.scope("orientation.view") == Scope.CITE:
        found.insert(0, "all")
    return found


def list_rows(ctx: ActingContext, box: str, status: str = "") -> QuerySet[Orientation]:
    qs = in_box(ctx, orientations_for(ctx), box)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("sender_structure", "receiving_structure").order_by("-sent_at", "-id")


def access_orientation_for(
    ctx: ActingContext, pk: int | str, action: str = "orientation.view", *, log_read: bool = True
) -> Orientation:
    """The orientation `pk` if in reach for `action`; Http404 otherwise. Reads of the snapshot are audited."""
    require(ctx, action)
    try:
        orientation = (
            orientations_for(ctx, action)
            .select_related("sender", "sender_structure", "receiving_structure", "service")
            .get(pk=pk)
        )
    except (Orientation.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("Introuvable.") from exc
    if log_read:
        audit.log(ctx, "orientation.read", orientation, beneficiary_id=orientation.beneficiary_id)
    return orientation


def log_list(ctx: ActingContext, rows: list[Orientation], *, filters: dict | None = None) -> None:
    """Audit that a list showing people's names (from the snapshots) was shown."""
    event = audit.log(ctx, "orientation.list", changes={"count": len(rows), "filters": filters or {}})
    AuditSubject.objects.bulk_create(
        [AuditSubject(event=event, beneficiary_id=o.beneficiary_id) for o in rows]
    )


def is_receiver(ctx: ActingContext, orientation: Orientation) -> bool:
    return ctx.structure_id is not None and orientation.receiving_structure_id == ctx.structure_id


def is_sender_side(ctx: ActingContext, orientation: Orientation) -> bool:
    if orientation.sender_id == ctx.user.pk:
        return True
    if ctx.structure_id is not None and orientation.sender_structure_id == ctx.structure_id:
        return True
    return ctx.scope("orientation.view") == Scope.CITE and ctx.cite_id == orientation.cite_id


def sender_label(ctx: ActingContext | None, orientation: Orientation) -> str:
    """The sending structure, or « un partenaire de la cité » for anyone outside a sensitive one."""
    structure = orientation.sender_structure
    if structure is None:
        return COORDINATION_LABEL
    inside = ctx is not None and (structure.pk == ctx.structure_id or orientation.sender_id == ctx.user.pk)
    if structure.sensitive and not inside:
        return MASKED_SENDER_LABEL
    return structure.name


def sender_person_label(ctx: ActingContext | None, orientation: Orientation) -> str:
    """Who sent it, hidden with a masked structure."""
    if sender_label(ctx, orientation) == MASKED_SENDER_LABEL or orientation.sender is None:
        return ""
    return str(orientation.sender)


def sharing_withdrawn(orientation: Orientation) -> bool:
    """Whether the person withdrew their consent to sharing: the receiving structure then no longer reads
    the snapshot (domain.md §6: withdrawal stops sharing)."""
    return not Consent.objects.filter(
        beneficiary_id=orientation.beneficiary_id, scope=ConsentScope.SHARING, withdrawn_on__isnull=True
    ).exists()


def shared_rows(ctx: ActingContext, orientation: Orientation) -> list[dict] | None:
    """The snapshot rows this acting context may read (None when the consent was withdrawn for the receiver)."""
    if is_receiver(ctx, orientation) and not is_sender_side(ctx, orientation):
        if sharing_withdrawn(orientation):
            return None
    return list(orientation.snapshot.get("rows", []))


def with_people_flags(ctx: ActingContext, orientations: list[Orientation]) -> set[int]:
    """Ids of the people among `orientations` whose file the acting context may open (people rules)."""
    from citemploi.people import queries as people_queries

    ids = {o.beneficiary_id for o in orientations}
    if not ids or not ctx.can("beneficiary.view"):
        return set()
    return set(people_queries.beneficiaries_for(ctx).filter(pk__in=ids).values_list("pk", flat=True))


# --- Single-use links ---------------------------------------------------------------------------------------


def link_for_token(token_hash: str) -> AnswerLink | None:
    return (
        AnswerLink.objects.select_related(
            "orientation", "orientation__sender_structure", "orientation__receiving_structure"
        )
        .filter(token_hash=token_hash)
        .first()
    )


def log_link_read(link: AnswerLink) -> None:
    """Audit a read of the snapshot through a single-use link (no user: the link is the actor)."""
    event: AuditEvent = audit.build(
        None,
        "orientation.link_read",
        link.orientation,
        beneficiary_id=link.orientation.beneficiary_id,
        cite_id=link.orientation.cite_id,
    )
    event.actor_label = "lien à usage unique"
    event.via = "link"
    event.save()


# --- Extension points: risk signal and network ----------------------------------------------------------------


def pending_count(ctx: ActingContext) -> int:
    """Orientations waiting for the acting structure's answer."""
    return in_box(ctx, orientations_for(ctx), "received").filter(status=Status.SENT).count()


def has_newer(orientation_qs: QuerySet[Orientation]) -> Exists:
    return Exists(
        orientation_qs.filter(beneficiary_id=OuterRef("beneficiary_id"), sent_at__gt=OuterRef("sent_at"))
    )
