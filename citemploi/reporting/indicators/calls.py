"""Indicators of the calls for projects (appels à projets, AAP): files, amounts, envelope, reports, cost."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.models import (
    Agreement,
    Application,
    ApplicationTransition,
    Call,
    Payment,
    Report,
)
from citemploi.reporting.indicators.base import (
    ALL,
    Cut,
    Indicator,
    Number,
    Query,
    Ratios,
    Unit,
    register,
    text,
)
from citemploi.reporting.indicators.timestamps import local_day_bounds

SECTION = "Appels à projets"

STAGES = [
    ("received", "Dossiers reçus"),
    ("admissible", "Déclarés recevables"),
    ("selected", "Retenus"),
    ("postponed", "Ajournés"),
    ("refused", "Refusés"),
]


def _applications(q: Query, prefix: str = "") -> Q:
    cond = Q(**{f"{prefix}call__cite_id__in": q.cite_ids})
    if q.structure_id:
        cond &= Q(**{f"{prefix}holder_id": q.structure_id})
    if q.qpv_id:
        cond &= Q(**{f"{prefix}qpvs": q.qpv_id})
    if q.action_id:
        cond &= Q(**{f"{prefix}pk": q.action_id})
    return cond


def _selected_applications(q: Query) -> QuerySet[Application]:
    """The applications asked (one row each, even when filtered on one of their several QPV)."""
    return Application.objects.filter(pk__in=Application.objects.filter(_applications(q)).values("pk"))


def _cut(cut: Cut, prefix: str = "") -> object:
    return {
        Cut.NONE: None,
        Cut.CITE: text(f"{prefix}call__cite_id"),
        Cut.STRUCTURE: text(f"{prefix}holder_id"),
        Cut.ACTION: text(f"{prefix}pk" if prefix else "pk"),
    }[cut]


def _in_period(q: Query, field: str) -> Q:
    """The instant `field` falls on a local (Europe/Paris) date of the period: compared with the instants
    where the period's days begin, as stored (`__date` converts every row, by a Python function on SQLite)."""
    start, end = local_day_bounds(q.period)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _reached(q: Query, status: str) -> Exists:
    return Exists(
        ApplicationTransition.objects.filter(
            _in_period(q, "created_at"), application=OuterRef("pk"), to_status=status
        )
    )


def _one_pass(qs: QuerySet, cut: object, aggregates: dict) -> dict[tuple[str, str], Number]:
    from django.db.models import Value

    rows = (
        qs.order_by()
        .annotate(_col=cut if cut is not None else Value(ALL))
        .values("_col")
        .annotate(**aggregates)
    )
    out: dict[tuple[str, str], Number] = {}
    for row in rows:
        col = str(row["_col"]) if row["_col"] is not None else ""
        for key in aggregates:
            out[(key, col)] = out.get((key, col), 0) + (row[key] or 0)
    return out


def applications(q: Query) -> dict[tuple[str, str], Number]:
    qs = _selected_applications(q).annotate(
        r_admissible=_reached(q, ApplicationStatus.ADMISSIBLE),
        r_selected=_reached(q, ApplicationStatus.SELECTED),
        r_postponed=_reached(q, ApplicationStatus.POSTPONED),
        r_refused=_reached(q, ApplicationStatus.REFUSED),
    )
    received = _in_period(q, "submitted_at")
    return _one_pass(
        qs,
        _cut(q.cut),
        {
            "received": Count("id", filter=received),
            "admissible": Count("id", filter=Q(r_admissible=True)),
            "selected": Count("id", filter=Q(r_selected=True)),
            "postponed": Count("id", filter=Q(r_postponed=True)),
            "refused": Count("id", filter=Q(r_refused=True)),
        },
    )


def amounts(q: Query) -> dict[tuple[str, str], Number]:
    qs = _selected_applications(q).annotate(r_selected=_reached(q, ApplicationStatus.SELECTED))
    received = _in_period(q, "submitted_at")
    return _one_pass(
        qs,
        _cut(q.cut),
        {
            "requested": Sum("requested_amount", filter=received),
            "granted": Sum("awarded_amount", filter=Q(r_selected=True)),
        },
    )


def _agreements(q: Query) -> QuerySet[Agreement]:
    return Agreement.objects.filter(application__in=Application.objects.filter(_applications(q)).values("pk"))


def envelope(q: Query) -> dict[tuple[str, str], Number]:
    committed = _one_pass(
        _agreements(q).filter(signed_on__gte=q.period.start, signed_on__lte=q.period.end),
        _cut(q.cut, "application__"),
        {"committed": Sum("amount")},
    )
    paid = _one_pass(
        Payment.objects.filter(
            agreement__in=_agreements(q).values("pk"), paid_on__gte=q.period.start, paid_on__lte=q.period.end
        ),
        _cut(q.cut, "agreement__application__"),
        {"paid": Sum("amount")},
    )
    return committed | paid


def envelope_share(q: Query) -> dict[tuple[str, str], Number]:
    """Committed and paid by `end`, over the envelopes of the calls of the period's years."""
    years = range(q.period.start.year, q.period.end.year + 1)
    calls = Call.objects.filter(cite_id__in=q.cite_ids, year__in=years)
    zero = Decimal(0)
    money = DecimalField(max_digits=14, decimal_places=2)
    envelopes = _one_pass(
        calls, text("cite_id") if q.cut == Cut.CITE else None, {"envelope": Sum("envelope")}
    )
    signed = Agreement.objects.filter(
        application__call__in=calls, signed_on__isnull=False, signed_on__lte=q.period.end
    )
    committed = _one_pass(
        signed,
        text("application__call__cite_id") if q.cut == Cut.CITE else None,
        {"committed": Coalesce(Sum("amount"), zero, output_field=money)},
    )
    paid = _one_pass(
        Payment.objects.filter(agreement__application__call__in=calls, paid_on__lte=q.period.end),
        text("agreement__application__call__cite_id") if q.cut == Cut.CITE else None,
        {"paid": Coalesce(Sum("amount"), zero, output_field=money)},
    )
    out: dict[tuple[str, str], Number] = {}
    for (_, col), total in envelopes.items():
        if not total:
            continue
        for key, part in (("committed", committed), ("paid", paid)):
            out[(key, col)] = round(float(part.get((key, col), 0)) * 100 / float(total), 1)
    return out


def reports(q: Query) -> dict[tuple[str, str], Number]:
    qs = Report.objects.filter(application__in=Application.objects.filter(_applications(q)).values("pk"))
    due = Q(due_on__gte=q.period.start, due_on__lte=q.period.end)
    from django.db.models import F
    from django.db.models.functions import TruncDate

    qs = qs.annotate(submitted_on=TruncDate("submitted_at"))
    return _one_pass(
        qs,
        _cut(q.cut, "application__"),
        {
            "due": Count("id", filter=due),
            "on_time": Count("id", filter=due & Q(submitted_on__isnull=False, submitted_on__lte=F("due_on"))),
            "validated": Count("id", filter=_in_period(q, "validated_at")),
        },
    )


def cost_per_person(q: Query) -> Ratios:
    """Agreement amount over QPV residents reached, for the reports validated in the period."""
    qs = Report.objects.filter(
        _in_period(q, "validated_at"),
        application__in=Application.objects.filter(_applications(q)).values("pk"),
        qpv_residents__gt=0,
        application__agreement__isnull=False,
    )
    sums = _one_pass(
        qs,
        _cut(q.cut, "application__"),
        {"amount": Sum("application__agreement__amount"), "people": Sum("qpv_residents")},
    )
    out: dict[tuple[str, str], Number] = {}
    reached: dict[tuple[str, str], int] = {}
    for (key, col), people in sums.items():
        if key == "people":
            reached[("cost", col)] = int(people)
            if people:
                out[("cost", col)] = round(Decimal(sums.get(("amount", col), 0)) / Decimal(people), 2)
    return Ratios(out, denominators=reached)


CALL_CUTS = frozenset({Cut.CITE, Cut.STRUCTURE, Cut.ACTION})

register(
    Indicator(
        code="calls.applications",
        name="Dossiers de candidature",
        definition=(
            "Dossiers déposés dans la période (date de dépôt), et dossiers déclarés recevables, retenus, "
            "ajournés ou refusés dans la période (date de la décision). Un dossier peut passer par plusieurs "
            "étapes dans la même période : les lignes ne s'additionnent pas. Structure : structure porteuse."
        ),
        unit=Unit.COUNT,
        categories=lambda: STAGES,
        compute=applications,
        cuts=CALL_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="calls.amounts",
        name="Montants demandés et accordés",
        definition=(
            "Montant demandé par les dossiers déposés dans la période ; montant accordé aux dossiers retenus "
            "dans la période."
        ),
        unit=Unit.EUROS,
        categories=lambda: [("requested", "Montant demandé"), ("granted", "Montant accordé")],
        compute=amounts,
        cuts=CALL_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="calls.envelope",
        name="Enveloppe engagée et versée",
        definition=(
            "Montant des conventions signées dans la période (engagé) et des versements effectués dans la "
            "période (versé)."
        ),
        unit=Unit.EUROS,
        categories=lambda: [("committed", "Engagé"), ("paid", "Versé")],
        compute=envelope,
        cuts=CALL_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="calls.envelope_share",
        name="Part de l'enveloppe engagée et versée",
        definition=(
            "Pour les appels à projets des années de la période : montant des conventions signées au plus "
            "tard à la fin de la période (engagé) et des versements effectués au plus tard à la fin de la "
            "période (versé), divisés par l'enveloppe de ces appels."
        ),
        unit=Unit.PERCENT,
        categories=lambda: [("committed", "Part engagée"), ("paid", "Part versée")],
        compute=envelope_share,
        cuts=frozenset({Cut.CITE}),
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="calls.reports",
        name="Bilans des actions financées",
        definition=(
            "Bilans dont l'échéance tombe dans la période (attendus), parmi eux ceux déposés au plus tard à "
            "l'échéance (à l'heure), et bilans validés dans la période."
        ),
        unit=Unit.COUNT,
        categories=lambda: [
            ("due", "Bilans attendus"),
            ("on_time", "dont déposés à l'heure"),
            ("validated", "Bilans validés"),
        ],
        compute=reports,
        cuts=CALL_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="calls.cost_per_person",
        name="Coût par personne touchée",
        definition=(
            "Pour les bilans validés dans la période qui indiquent le nombre de résident·es des QPV "
            "touché·es : somme des montants conventionnés divisée par la somme des personnes touchées. "
            "Non calculé quand aucun bilan validé ne donne ce nombre."
        ),
        unit=Unit.EUROS,
        categories=lambda: [("cost", "Coût par personne touchée")],
        compute=cost_per_person,
        cuts=CALL_CUTS,
        section=SECTION,
        additive=False,
        denominator="résident·es des QPV touché·es, selon les bilans",
    )
)
