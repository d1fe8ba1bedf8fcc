"""What the other domains read of the calls: the funded actions of a cité. This is the single entry point.

A funded action becomes a service of the directory (citemploi.offer) and an action of the cité's roadmap
(citemploi.partnership) when its agreement is signed (citemploi.calls.services.funded), so that the
orientations, events and outcomes of the people it reaches count in its report: reporting reads, per funded
action, `service_id` (orientations to that service reach its people) and `roadmap_action_id` (events
attached to that roadmap action), with the amounts granted and paid and the action's dates.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from citemploi.calls.enums import FUNDED_STATUSES
from citemploi.calls.models import Application, FundedActionLink, Payment
from citemploi.territory.models import Cite


@dataclass(frozen=True)
class FundedObjective:
    title: str
    indicator: str
    unit: str
    target: Decimal


@dataclass(frozen=True)
class FundedAction:
    """An action funded by a call of the cité (agreement signed, and after)."""

    application_id: int
    reference: str
    call_id: int
    call_title: str
    year: int
    title: str
    description: str
    theme: str
    theme_label: str
    holder_id: int
    holder_name: str
    qpv_codes: tuple[str, ...]
    places: str
    starts_on: date | None
    ends_on: date | None
    #: the grant awarded by the agreement (the committee's amount while none is signed)
    amount: Decimal
    #: the sum of the payments recorded so far
    amount_paid: Decimal
    signed_on: date | None
    status: str
    target_people: int | None
    target_young: int | None
    target_women: int | None
    target_seniors: int | None
    contact_email: str
    objectives: tuple[FundedObjective, ...]
    #: the directory's service of the action (citemploi.offer Service id), None until it exists
    service_id: int | None
    #: the cité's roadmap action (citemploi.partnership RoadmapAction id), None until it exists
    roadmap_action_id: int | None

    @property
    def amount_granted(self) -> Decimal:
        return self.amount


def funded_actions(cite: Cite, year: int | None = None) -> list[FundedAction]:
    """The cité's funded actions (of one call year, or all), in reference order, in a constant number of
    queries."""
    qs = (
        Application.objects.filter(call__cite=cite, status__in=FUNDED_STATUSES)
        .select_related("call", "holder", "agreement")
        .prefetch_related(
            "qpvs",
            "objectives",
            Prefetch("agreement__payments", queryset=Payment.objects.order_by("id")),
            Prefetch("funded_link", queryset=FundedActionLink.objects.all()),
        )
        .order_by("call__year", "reference")
    )
    if year is not None:
        qs = qs.filter(call__year=year)
    actions = []
    for app in qs:
        agreement = getattr(app, "agreement", None)
        link = getattr(app, "funded_link", None)
        paid = sum((p.amount for p in agreement.payments.all()), Decimal(0)) if agreement else Decimal(0)
        actions.append(
            FundedAction(
                application_id=app.pk,
                reference=app.reference,
                call_id=app.call_id,
                call_title=app.call.title,
                year=app.call.year,
                title=app.title,
                description=app.description,
                theme=app.theme,
                theme_label=app.get_theme_display() if app.theme else "",
                holder_id=app.holder_id,
                holder_name=app.holder.name,
                qpv_codes=tuple(sorted(q.code for q in app.qpvs.all())),
                places=app.places,
                starts_on=agreement.starts_on if agreement else app.start_date,
                ends_on=agreement.ends_on if agreement else app.end_date,
                amount=agreement.amount if agreement else (app.awarded_amount or Decimal(0)),
                amount_paid=paid,
                signed_on=agreement.signed_on if agreement else None,
                status=app.status,
                target_people=app.target_people,
                target_young=app.target_young,
                target_women=app.target_women,
                target_seniors=app.target_seniors,
                contact_email=app.contact_email,
                objectives=tuple(
                    FundedObjective(o.title, o.indicator, o.unit, o.target) for o in app.objectives.all()
                ),
                service_id=link.service_id if link else None,
                roadmap_action_id=link.roadmap_action_id if link else None,
            )
        )
    return actions
