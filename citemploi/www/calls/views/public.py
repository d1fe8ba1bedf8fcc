"""The public pages: open calls of every cité, and a call's page. Signed-in users see, in addition, the
calls of their cité (drafts for the coordination) and the links of their role."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from citemploi.calls import queries
from citemploi.calls.eligibility.base import ParamsError, rule_type
from citemploi.calls.enums import CallStatus, Theme
from citemploi.calls.timing import format_paris, is_before, is_late


def _acting(request: HttpRequest):
    ctx = getattr(request, "acting", None)
    if ctx is None or not request.user.is_authenticated or ctx.membership is None:
        return None
    return ctx


def window_label(call, now=None) -> str:
    now = now or timezone.now()
    if call.status != CallStatus.PUBLISHED:
        return call.get_status_display()
    if call.opens_at is None or call.closes_at is None:
        return "Dates à venir"
    if is_before(now, call.opens_at):
        return f"Ouvre le {format_paris(call.opens_at)}"
    if is_late(call.closes_at, now):
        return f"Dépôts clos depuis le {format_paris(call.closes_at)}"
    return f"Ouvert jusqu'au {format_paris(call.closes_at)}"


def themes_of(call) -> list[str]:
    return [str(Theme(t).label) for t in call.themes or [] if t in Theme.values]


@login_not_required
def call_list(request: HttpRequest) -> HttpResponse:
    """Open calls for everyone; the cité's calls and the role's links for signed-in users."""
    public = list(queries.public_calls().order_by("closes_at", "title", "id"))
    ctx = _acting(request)
    mine = []
    if ctx is not None and ctx.can("call.view") and ctx.cite_id is not None:
        mine = list(queries.calls_for(ctx).order_by("-year", "title", "id"))
    return render(
        request,
        "calls/list.html",
        {
            "public": [(c, window_label(c), themes_of(c)) for c in public],
            "mine": [(c, window_label(c)) for c in mine],
            "ctx_role": ctx.role if ctx else "",
            "can_manage": bool(ctx and ctx.can("call.manage")),
            "can_view_files": bool(ctx and ctx.can("application.view")),
            "can_review": bool(ctx and ctx.can("review.score")),
            "can_committee": bool(ctx and ctx.can("committee.view")),
        },
    )


@login_not_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _acting(request)
    if ctx is not None and ctx.can("call.view"):
        qs = queries.calls_for(ctx) | queries.public_calls()
    else:
        qs = queries.public_calls()
    call = qs.select_related("cite").filter(pk=pk).first()
    if call is None:
        raise Http404("Introuvable.")
    rules = []
    for rule in call.rules.all():
        cls = rule_type(rule.rule_type)
        if cls is None:
            continue
        try:
            summary = cls.summary(cls.parse(rule.params))
        except ParamsError:
            summary = cls.description
        rules.append((rule, cls.label, summary))
    now = timezone.now()
    open_now = (
        call.status == CallStatus.PUBLISHED
        and call.opens_at is not None
        and call.closes_at is not None
        and not is_before(now, call.opens_at)
        and not is_late(call.closes_at, now)
    )
    own_cite = ctx is not None and ctx.cite_id == call.cite_id
    # Aggregated figures for the coordination, the steering committee and the national animation.
    show_figures = ctx is not None and (
        (own_cite and (ctx.can("committee.view") or ctx.can("call.manage")))
        or ctx.scope("call.view") == "all"
    )
    return render(
        request,
        "calls/detail.html",
        {
            "call": call,
            "window": window_label(call, now),
            "opens": format_paris(call.opens_at),
            "closes": format_paris(call.closes_at),
            "themes": themes_of(call),
            "rules": rules,
            "documents": list(call.required_documents.all()),
            "criteria": list(call.criteria.all()),
            "can_apply": bool(own_cite and open_now and ctx.can("application.create")),
            "can_manage": bool(own_cite and ctx.can("call.manage")),
            "can_instruct": bool(own_cite and ctx.can("application.instruct")),
            "can_export": bool(own_cite and ctx.can("call.export")),
            "can_committee": bool(own_cite and ctx.can("committee.view")),
            "signed_in": ctx is not None,
            "figures": queries.call_figures(call) if show_figures else None,
        },
    )
