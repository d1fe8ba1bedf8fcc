"""The minutes of a commission session as a PDF (WeasyPrint): present members, recusals, decisions with
their reasons. Minimal personal data: first name and initial, age band, QPV, proposing structure (a
sensitive structure is never named: the minutes go to every member)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from citemploi.cohorts.enums import CommissionOutcome, NotRetainedReason
from citemploi.cohorts.models import CommissionSession
from citemploi.cohorts.queries import MASKED_STRUCTURE_LABEL, member_label
from citemploi.core.context import ActingContext
from citemploi.people.enums import AgeBand
from citemploi.people.models import age_band_on


@dataclass(frozen=True)
class MinutesLine:
    name: str
    age_band: str
    qpv: str
    structure: str
    cohort: str
    decision: str
    reason: str
    recused: list[str]


def minutes_context(ctx: ActingContext, session: CommissionSession) -> dict:
    attendees = list(session.attendees.select_related("membership__user", "membership__structure"))
    decisions = {d.member_id: d for d in session.decisions.all()}
    recusals: dict[int, list[str]] = {}
    for r in session.recusals.select_related("membership__user", "membership__structure"):
        recusals.setdefault(r.member_id, []).append(member_label(r.membership))
    lines = []
    items = session.agenda.select_related(
        "member__beneficiary__qpv", "member__proposing_structure", "member__cohort"
    ).order_by("position", "id")
    for item in items:
        m = item.member
        b = m.beneficiary
        band = age_band_on(b.birth_date, session.held_on)
        d = decisions.get(m.pk)
        reason = ""
        if d is not None:
            if d.outcome == CommissionOutcome.NOT_RETAINED and d.not_retained_reason:
                reason = str(NotRetainedReason(d.not_retained_reason).label)
                reason += f" — {d.reason}" if d.reason else ""
            else:
                reason = d.reason
        lines.append(
            MinutesLine(
                name=f"{b.first_name} {b.last_name[:1].upper()}.",
                age_band=str(AgeBand(band).label) if band else "Non renseigné",
                qpv=b.qpv.name if b.qpv else "Hors QPV",
                structure=MASKED_STRUCTURE_LABEL
                if m.proposing_structure.sensitive
                else m.proposing_structure.name,
                cohort=m.cohort.name,
                decision=d.get_outcome_display() if d else "Non examiné·e",
                reason=reason,
                recused=recusals.get(m.pk, []),
            )
        )
    return {
        "session": session,
        "cite": session.cite,
        "cohorts": list(session.cohorts.order_by("name")),
        "present": [member_label(a.membership) for a in attendees if a.present],
        "absent": [member_label(a.membership) for a in attendees if not a.present],
        "chair": member_label(session.chair) if session.chair_id and session.chair else "la coordination",
        "lines": lines,
        "generated_at": timezone.localtime(),
    }


def minutes_pdf(ctx: ActingContext, session: CommissionSession) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) is slow

    html = render_to_string("cohorts/pdf/minutes.html", minutes_context(ctx, session))
    return HTML(string=html).write_pdf()
