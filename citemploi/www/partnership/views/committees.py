from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.partnership import ics
from citemploi.partnership.minutes import minutes_pdf
from citemploi.partnership.queries import committees as queries
from citemploi.partnership.services import committees as services
from citemploi.partnership.services.common import StaleEdit
from citemploi.www.common import acting, action_required
from citemploi.www.partnership.forms.committees import CommitteeForm, MeetingForm, MemberForm
from citemploi.www.partnership.forms.common import attach_errors


@action_required("governance.view")
def committee_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    return render(
        request,
        "partnership/committee_list.html",
        {"committees": queries.committee_rows(ctx), "can_manage": ctx.can("governance.manage")},
    )


@action_required("governance.manage")
def committee_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.create_committee(ctx=ctx, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"L'instance « {committee} » a été créée : ajoutez ses membres.")
            return redirect("partnership:committee_detail", pk=committee.pk)
    return render(request, "partnership/committee_form.html", {"form": form, "committee": None})


@action_required("governance.manage")
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    committee = queries.access_committee_for(ctx, pk, "governance.manage")
    form = CommitteeForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():
        committee.refresh_from_db()
        try:
            services.update_committee(ctx=ctx, committee=committee, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Instance enregistrée.")
            return redirect("partnership:committee_detail", pk=committee.pk)
    return render(request, "partnership/committee_form.html", {"form": form, "committee": committee})


@action_required("governance.view")
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    committee = queries.access_committee_for(ctx, pk)
    can_manage = ctx.can("governance.manage")
    return render(
        request,
        "partnership/committee_detail.html",
        {
            "committee": committee,
            "members": queries.current_members(committee),
            "former_members": queries.former_members(committee),
            "meetings": committee.meetings.order_by("-starts_at", "-id"),
            "can_manage": can_manage,
            "can_manage_meetings": ctx.can("meeting.manage"),
            "member_form": MemberForm(ctx=ctx) if can_manage else None,
        },
    )


@require_POST
@action_required("governance.manage")
def committee_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    committee = queries.access_committee_for(ctx, pk, "governance.manage")
    form = MemberForm(request.POST, ctx=ctx)
    if form.is_valid():
        try:
            member = services.add_member(ctx=ctx, committee=committee, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "Membre non ajouté : " + " ".join(exc.messages))
        else:
            messages.success(request, f"{member.display_name} siège désormais dans l'instance.")
    else:
        messages.error(
            request, "Membre non ajouté : " + " ".join(e for errors in form.errors.values() for e in errors)
        )
    return redirect("partnership:committee_detail", pk=committee.pk)


@require_POST
@action_required("governance.manage")
def committee_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    ctx = acting(request)
    committee = queries.access_committee_for(ctx, pk, "governance.manage")
    member = committee.members.filter(pk=member_pk, left_on__isnull=True).select_related("committee").first()
    if member is None:
        raise Http404("Introuvable.")
    services.remove_member(ctx=ctx, member=member)
    messages.success(request, f"{member.display_name} ne siège plus dans l'instance.")
    return redirect("partnership:committee_detail", pk=committee.pk)


@action_required("meeting.manage")
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    committee = queries.access_committee_for(ctx, pk, "meeting.manage")
    form = MeetingForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(ctx=ctx, committee=committee, data=form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Réunion enregistrée. Vous pouvez maintenant envoyer les invitations.")
            return redirect("partnership:meeting_detail", pk=meeting.pk)
    return render(
        request, "partnership/meeting_form.html", {"form": form, "committee": committee, "meeting": None}
    )


@action_required("meeting.manage")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    meeting = queries.access_meeting_for(ctx, pk, "meeting.manage")
    members = list(queries.current_members(meeting.committee))
    # Former members who attended stay listed, so that their attendance can still be corrected.
    attended = {a.member_id for a in meeting.attendances.all()}
    members += [m for m in queries.former_members(meeting.committee) if m.pk in attended]
    form = MeetingForm(
        request.POST or None, instance=meeting, members=members, initial={"version": meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        meeting.refresh_from_db()
        try:
            services.update_meeting(
                ctx=ctx,
                meeting=meeting,
                data=form.service_data(),
                attendance=form.attendance(),
                decisions=form.decision_lines(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Réunion enregistrée.")
            return redirect("partnership:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "partnership/meeting_form.html",
        {"form": form, "committee": meeting.committee, "meeting": meeting},
    )


@action_required("governance.view")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    meeting = queries.meeting_with_details(queries.access_meeting_for(ctx, pk))
    can_manage = ctx.can("meeting.manage")
    return render(
        request,
        "partnership/meeting_detail.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "attendances": sorted(
                meeting.attendances.all(), key=lambda a: (a.status, a.member.display_name.lower())
            ),
            "decisions": meeting.decisions.all(),
            "others": [line.strip() for line in meeting.other_attendees.splitlines() if line.strip()],
            "can_manage": can_manage,
            "recipients": queries.invitation_recipients(meeting) if can_manage else [],
            "invitations": meeting.invitations.all()[:50] if can_manage else [],
        },
    )


@action_required("governance.view")
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as a PDF."""
    ctx = acting(request)
    meeting = queries.access_meeting_for(ctx, pk)
    response = HttpResponse(minutes_pdf(meeting), content_type="application/pdf")
    name = f"compte-rendu-{meeting.starts_at:%Y-%m-%d}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@action_required("governance.view")
def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as an .ics file, to add it to one's calendar."""
    ctx = acting(request)
    meeting = queries.access_meeting_for(ctx, pk)
    body = ics.meeting_calendar(
        meeting,
        organizer_name=str(ctx.cite),
        organizer_email=ics.default_organizer_email(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}.ics"'
    return response


@require_POST
@action_required("meeting.manage")
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    meeting = queries.access_meeting_for(ctx, pk, "meeting.manage")
    try:
        count = services.send_invitations(ctx=ctx, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{count} invitation{'s' if count > 1 else ''} en cours d'envoi, chacune avec le fichier "
            "d'agenda (.ics).",
        )
    return redirect("partnership:meeting_detail", pk=meeting.pk)
