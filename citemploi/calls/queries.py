"""Reads of calls, files, reviews and committee sessions, scoped to the acting context.

Rules (citemploi.calls.policy):
- everybody in a cité reads its calls; the coordinator also sees the drafts; national users read every
  cité's published calls; the public reads published calls (`public_calls`);
- a project holder sees the files of their own structure only;
- a reviewer sees the files assigned to them, and only after declaring that they have no conflict of
  interest; before that they see the assignment (to declare), not the file;
- the coordinator sees every file of the cité; steering members see committee sessions and decisions.
Absent and forbidden objects give the same 404. Reading a file (it holds the holder's contacts) is audited.
"""

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from citemploi.calls.enums import CallStatus, ConflictStatus
from citemploi.calls.models import (
    Application,
    ApplicationDocument,
    Call,
    CommitteeSession,
    Decision,
    ReviewerAssignment,
)
from citemploi.core import audit
from citemploi.core.access import not_found, require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope


def public_calls() -> QuerySet[Call]:
    """Published calls of every cité, for the public page (no account needed)."""
    return Call.objects.filter(status=CallStatus.PUBLISHED).select_related("cite")


def calls_for(ctx: ActingContext, action: str = "call.view") -> QuerySet[Call]:
    scope = ctx.scope(action) if ctx.membership else Scope.NONE
    if scope == Scope.ALL:
        return Call.objects.exclude(status=CallStatus.DRAFT)
    if scope == Scope.NONE or ctx.cite_id is None:
        return Call.objects.none()
    qs = Call.objects.filter(cite_id=ctx.cite_id)
    if not ctx.can("call.manage"):
        qs = qs.exclude(status=CallStatus.DRAFT)
    return qs


def access_call_for(ctx: ActingContext, pk: int, action: str = "call.view") -> Call:
    require(ctx, action)
    try:
        return calls_for(ctx, action).select_related("cite").get(pk=pk)
    except (Call.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc


def _application_filter(ctx: ActingContext, scope: Scope) -> Q | None:
    if ctx.cite_id is None:
        return None
    in_cite = Q(call__cite_id=ctx.cite_id)
    if scope == Scope.CITE:
        return in_cite
    if scope == Scope.OWN_STRUCTURE:
        return in_cite & Q(holder_id=ctx.structure_id) if ctx.structure_id else None
    if scope == Scope.RESPONSIBLE:
        return in_cite & Q(
            assignments__reviewer_id=ctx.user.pk, assignments__conflict_status=ConflictStatus.NONE
        )
    return None


def applications_for(ctx: ActingContext, action: str = "application.view") -> QuerySet[Application]:
    """The files the acting context may do `action` on (empty when denied)."""
    scope = ctx.scope(action) if ctx.membership else Scope.NONE
    condition = _application_filter(ctx, scope) if scope != Scope.NONE else None
    if condition is None:
        return Application.objects.none()
    return Application.objects.filter(condition)


def can(ctx: ActingContext, action: str, app: Application) -> bool:
    if not ctx.membership or not ctx.can(action):
        return False
    return applications_for(ctx, action).filter(pk=app.pk).exists()


def access_application_for(
    ctx: ActingContext, pk: int, action: str = "application.view", *, log_read: bool = True
) -> Application:
    """The file `pk` if the acting context may do `action` on it; Http404 otherwise. Reads are audited."""
    require(ctx, action)
    try:
        app = applications_for(ctx, action).select_related("call__cite", "holder").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc
    if log_read:
        audit.log(ctx, "application.read", app)
    return app


def application_rows(
    ctx: ActingContext, params: dict, action: str = "application.view"
) -> QuerySet[Application]:
    """Files for a list screen, filtered by call, status and words of the title or holder."""
    qs = applications_for(ctx, action).select_related("call", "holder")
    if params.get("call"):
        qs = qs.filter(call_id=params["call"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        q = params["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(holder__name__icontains=q) | Q(reference__icontains=q))
    return qs.order_by("-call__year", "reference").distinct()


def assignments_for(ctx: ActingContext) -> QuerySet[ReviewerAssignment]:
    """The reviewer's own assignments in the acting cité (declared or not)."""
    if not ctx.membership or not ctx.can("review.score") or ctx.cite_id is None:
        return ReviewerAssignment.objects.none()
    return ReviewerAssignment.objects.filter(
        reviewer_id=ctx.user.pk, application__call__cite_id=ctx.cite_id
    ).select_related("application__call", "application__holder")


def access_assignment_for(ctx: ActingContext, pk: int) -> ReviewerAssignment:
    require(ctx, "review.score")
    try:
        return assignments_for(ctx).get(pk=pk)
    except (ReviewerAssignment.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc


def document_for(ctx: ActingContext, app: Application, pk: int) -> ApplicationDocument:
    try:
        return app.documents.get(pk=pk)
    except (ApplicationDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc


def sessions_for(ctx: ActingContext, action: str = "committee.view") -> QuerySet[CommitteeSession]:
    scope = ctx.scope(action) if ctx.membership else Scope.NONE
    if scope != Scope.CITE or ctx.cite_id is None:
        return CommitteeSession.objects.none()
    return CommitteeSession.objects.filter(call__cite_id=ctx.cite_id).select_related("call")


def access_session_for(ctx: ActingContext, pk: int, action: str = "committee.view") -> CommitteeSession:
    require(ctx, action)
    try:
        return sessions_for(ctx, action).get(pk=pk)
    except (CommitteeSession.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc


def access_decision_for(ctx: ActingContext, session: CommitteeSession, pk: int) -> Decision:
    try:
        return session.decisions.select_related("application").get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc


def call_figures(call: Call) -> dict:
    """Aggregated figures of a call (no file, no person): files by status, amounts asked and awarded."""
    from django.db.models import Count, Sum

    from citemploi.calls.enums import GRANTED_STATUSES, ApplicationStatus

    rows = (
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .values("status")
        .annotate(n=Count("id"), requested=Sum("requested_amount"), awarded=Sum("awarded_amount"))
        .order_by("status")
    )
    by_status = []
    files = granted = 0
    requested = awarded = Decimal(0)
    for row in rows:
        files += row["n"]
        requested += row["requested"] or 0
        if row["status"] in GRANTED_STATUSES:
            granted += row["n"]
            awarded += row["awarded"] or 0
        by_status.append((ApplicationStatus(row["status"]).label, row["n"]))
    return {
        "files": files,
        "granted": granted,
        "requested": requested,
        "awarded": awarded,
        "remaining": call.envelope - awarded,
        "by_status": by_status,
    }
