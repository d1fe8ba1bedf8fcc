"""Screens of the closed-loop orientations: lists of sent and received orientations, creation from a person's
file, the orientation page with its history and answers, the cité's settings, and the public page of the
single-use answer link."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.ratelimit import rate_limit
from citemploi.offer import queries as offer_queries
from citemploi.offer.models import Service
from citemploi.orientations import queries, services
from citemploi.orientations.enums import RefusalReason, SharedGroup, Status
from citemploi.orientations.machine import EDGES, TransitionRefused
from citemploi.orientations.models import AnswerLink, Orientation
from citemploi.people import queries as people_queries
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.orientations.forms import (
    SERVICE_CHOICES_LIMIT,
    AnswerForm,
    LinkAnswerForm,
    ListFilterForm,
    OrientationForm,
    ServiceSearchForm,
    SettingsForm,
    WithdrawForm,
)

BOX_LABELS = {"all": "Toutes (cité)", "sent": "Envoyées", "received": "Reçues"}
#: the buttons of the receiving structure, in the order shown
RECEIVER_ACTIONS = [
    (Status.ACCEPTED, "Accepter"),
    (Status.REFUSED, "Refuser"),
    (Status.STARTED, "Indiquer que l'accompagnement a commencé"),
    (Status.COMPLETED, "Indiquer que l'accompagnement est terminé"),
    (Status.ABANDONED, "Indiquer un abandon"),
]


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Lists ------------------------------------------------------------------------------------------------------


@action_required("orientation.view")
def orientation_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    boxes = queries.boxes_for(ctx) or ["received"]
    box = request.GET.get("boite") or boxes[0]
    if box not in boxes:
        box = boxes[0]
    form = ListFilterForm(request.GET or None)
    status = form.cleaned_data.get("etat", "") if form.is_valid() else ""
    page = paginate(request, queries.list_rows(ctx, box, status))
    rows = list(page.object_list)
    queries.log_list(ctx, rows, filters={"boite": box, "etat": status})
    query = request.GET.copy()
    query.pop("page", None)
    return render_partial_or_full(
        request,
        "orientations/list.html",
        "results",
        {
            "form": form,
            "box": box,
            "box_label": BOX_LABELS[box],
            "tabs": [(b, BOX_LABELS[b]) for b in boxes],
            "page": page,
            "rows": [(o, queries.sender_label(ctx, o)) for o in rows],
            "querystring": query.urlencode(),
            "can_settings": ctx.can("orientation.settings"),
        },
    )


# --- Creation ---------------------------------------------------------------------------------------------------


def _candidate_services(ctx: ActingContext, search: ServiceSearchForm, chosen: int | None) -> list[Service]:
    """Open services of the cité's other structures matching the search; the chosen one always listed first."""
    today = timezone.localdate()
    reach = offer_queries.services_for(ctx).filter(offer_queries.current_condition(today))
    if ctx.structure_id:
        reach = reach.exclude(structure_id=ctx.structure_id)
    found = list(
        offer_queries.filter_services(reach, search.params(), today)
        .select_related("structure")
        .order_by("name", "id")[:SERVICE_CHOICES_LIMIT]
    )
    if chosen and all(s.pk != chosen for s in found):
        extra = reach.select_related("structure").filter(pk=chosen).first()
        if extra is not None:
            found.insert(0, extra)
    elif chosen:
        found.sort(key=lambda s: s.pk != chosen)
    return found


def _int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@action_required("orientation.send")
def orientation_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    beneficiary_pk = _int_param(request.POST.get("beneficiary") or request.GET.get("beneficiary"))
    if beneficiary_pk is None:
        return render(request, "orientations/create_start.html", {})
    beneficiary = people_queries.access_beneficiary_for(
        ctx, beneficiary_pk, "orientation.send", log_read=request.method == "GET"
    )
    search = ServiceSearchForm(request.GET or None, ctx=ctx)
    chosen = _int_param(request.POST.get("service") or request.GET.get("service"))
    candidates = _candidate_services(ctx, search, chosen)
    initial = {"service": chosen} if chosen and any(s.pk == chosen for s in candidates) else {}
    form = OrientationForm(request.POST or None, services=candidates, initial=initial)
    consent = people_queries.has_active_consent(beneficiary, "sharing")
    if request.method == "POST" and form.is_valid():
        service = next(s for s in candidates if s.pk == form.cleaned_data["service"])
        try:
            sent = services.send_orientation(
                ctx=ctx,
                beneficiary=beneficiary,
                service=service,
                message=form.cleaned_data["message"],
                shared_groups=form.cleaned_data["shared_groups"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            o = sent.orientation
            text = f"Orientation n° {o.pk} envoyée à {service.structure.name}."
            if sent.link_sent_to:
                text += " Un lien de réponse à usage unique a été envoyé à l'adresse de contact du service."
            messages.success(request, text)
            return redirect("orientations:detail", pk=o.pk)
    query = request.GET.copy()
    return render_partial_or_full(
        request,
        "orientations/create.html",
        "services",
        {
            "b": beneficiary,
            "search": search,
            "form": form,
            "candidates": candidates,
            "limit": SERVICE_CHOICES_LIMIT,
            "consent": consent,
            "required_groups": [SharedGroup.IDENTITY.label, SharedGroup.CONTACT.label],
            "querystring": query.urlencode(),
            "deadline_days": queries.settings_for(ctx.cite_id or 0).answer_delay_days,
        },
    )


# --- Orientation page and answers -------------------------------------------------------------------------------


def _history(ctx: ActingContext, o: Orientation) -> list[dict[str, Any]]:
    masked = queries.sender_label(ctx, o) == queries.MASKED_SENDER_LABEL
    rows = []
    for t in o.transitions.all():
        actor = t.actor_label
        if masked and t.actor_structure_id == o.sender_structure_id:
            actor = queries.MASKED_SENDER_LABEL
        rows.append({"t": t, "actor": actor})
    return rows


@action_required("orientation.view")
def orientation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    o = queries.access_orientation_for(ctx, pk)
    receiver = queries.is_receiver(ctx, o) and ctx.can("orientation.answer")
    sender = queries.is_sender_side(ctx, o) and ctx.can("orientation.send")
    legal = EDGES.get(o.status, frozenset())
    return render(
        request,
        "orientations/detail.html",
        {
            "o": o,
            "sender_label": queries.sender_label(ctx, o),
            "sender_person": queries.sender_person_label(ctx, o),
            "shared": queries.shared_rows(ctx, o),
            "history": _history(ctx, o),
            "can_open_file": bool(queries.with_people_flags(ctx, [o])),
            "actions": [(t, lbl) for t, lbl in RECEIVER_ACTIONS if receiver and t in legal],
            "can_withdraw": sender and Status.WITHDRAWN in legal,
            "refusal_reasons": RefusalReason.choices,
            "answer_form": AnswerForm(),
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
@action_required("orientation.answer")
def orientation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    o = queries.access_orientation_for(ctx, pk, log_read=False)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Réponse non enregistrée : choisissez une action proposée sur la page.")
        return redirect("orientations:detail", pk=o.pk)
    data = form.cleaned_data
    try:
        moved = services.answer(
            ctx=ctx,
            orientation=o,
            target=data["target"],
            refusal_reason=data["refusal_reason"],
            details=data["details"],
            outcome=data["outcome"],
            expected_status=data["expected_status"] or None,
        )
    except (TransitionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "Réponse non enregistrée : " + " ".join(exc.messages))
    else:
        messages.success(request, f"Orientation n° {moved.pk} : {moved.get_status_display().lower()}.")
    return redirect("orientations:detail", pk=o.pk)


@require_POST
@action_required("orientation.send")
def orientation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    o = queries.access_orientation_for(ctx, pk, "orientation.view", log_read=False)
    form = WithdrawForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"reason": "", "expected_status": ""}
    try:
        services.withdraw(
            ctx=ctx, orientation=o, reason=data["reason"], expected_status=data["expected_status"] or None
        )
    except (TransitionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Orientation n° {o.pk} retirée.")
    return redirect("orientations:detail", pk=o.pk)


# --- Settings ---------------------------------------------------------------------------------------------------


@action_required("orientation.settings")
def orientation_settings(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    current = queries.settings_for(ctx.cite_id or 0)
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                ctx=ctx,
                answer_delay_days=form.cleaned_data["answer_delay_days"],
                reminder_days_before=form.cleaned_data["reminder_days_before"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Paramètres des orientations enregistrés.")
            return redirect("orientations:settings")
    return render(request, "orientations/settings.html", {"form": form})


# --- Single-use link (public) -----------------------------------------------------------------------------------


def _link_gone(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "orientations/link_invalid.html", {"unknown": status == 404}, status=status)


def _usable(link: AnswerLink) -> bool:
    return (
        link.used_at is None
        and link.revoked_at is None
        and link.expires_at > timezone.now()
        and link.orientation.status == Status.SENT
    )


@login_not_required
@rate_limit(
    "orientation.answer_link",
    limit=lambda: settings.ANSWER_LINK_PER_HOUR,
    window=3600,
    methods=("GET", "POST"),
)
def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page a receiving structure without account opens from its e-mail: the shared snapshot, accept or
    refuse. A used, replaced or expired link answers 410, an unknown one 404, both without any data."""
    link = queries.link_for_token(services.hash_token(token))
    if link is None:
        return _link_gone(request, 404)
    if not _usable(link):
        return _link_gone(request, 410)
    o = link.orientation
    form = LinkAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.answer_by_link(
                token=token,
                target=data["target"],
                refusal_reason=data["refusal_reason"],
                details=data["details"],
            )
        except (services.LinkUnusable, AnswerLink.DoesNotExist):
            return _link_gone(request, 410)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return render(request, "orientations/link_done.html", {"o": moved})
    queries.log_link_read(link)
    shared = None if queries.sharing_withdrawn(o) else o.snapshot.get("rows", [])
    return render(
        request,
        "orientations/link.html",
        {
            "o": o,
            "form": form,
            "shared": shared,
            "sender_label": queries.sender_label(None, o),
        },
    )
