"""Indicators about people: identified (by repérage channel), invisible reached (hors radar)."""

from datetime import date
from typing import Any

from django.db import connections, router
from django.db.models import Count, DateField, Exists, Expression, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.db.models.lookups import GreaterThan

from citemploi.people.enums import ReperageChannel
from citemploi.people.models import Beneficiary
from citemploi.reporting.indicators.base import (
    ALL,
    UNKNOWN,
    Cut,
    Indicator,
    Number,
    Query,
    Unit,
    age_band_expression,
    grouped,
    register,
    structure_expression,
    text,
)
from citemploi.reporting.indicators.funded import grouped_by_action
from citemploi.reporting.indicators.timestamps import local_day_bounds

SECTION = "Repérage et accompagnement"

#: the cuts a person's file carries (the responsible structure stands for the partner structure)
PERSON_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE})
#: the cuts of the counts of people: their file's, and the funded actions that reached them (see funded.py)
PEOPLE_CUTS = PERSON_CUTS | {Cut.ACTION}
#: a person reached by two funded actions is in both columns
OVERLAPPING = frozenset({Cut.ACTION})


def _channels() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in ReperageChannel]


def _identified(q: Query) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(
        cite_id__in=q.cite_ids, identified_on__gte=q.period.start, identified_on__lte=q.period.end
    )
    if q.qpv_id:
        qs = qs.filter(qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(responsible_structure_id=q.structure_id)
    return qs


def person_cut(cut: Cut, fact_date: str | Expression) -> Expression | None:
    """The SQL expression of a cut on a person's file (age on the date of the fact: its path or value)."""
    return {
        Cut.NONE: None,
        Cut.CITE: text("cite_id"),
        Cut.QPV: text("qpv_id"),
        Cut.GENDER: text("gender"),
        Cut.AGE_BAND: age_band_expression("birth_date", fact_date),
        Cut.STRUCTURE: structure_expression("responsible_structure"),
    }[cut]


def count_people(
    qs: QuerySet[Beneficiary], category: Expression | str, q: Query, fact_date: str | Expression
) -> dict[tuple[str, str], Number]:
    """Distinct people per (category, cut value); by funded action, per action that reached them."""
    if q.cut == Cut.ACTION:
        return grouped_by_action(qs, category, q, person="id")
    return grouped(qs, category, person_cut(q.cut, fact_date), Count("id", distinct=True))


def identified(q: Query) -> dict[tuple[str, str], Number]:
    return count_people(_identified(q), "reperage_channel", q, "identified_on")


def invisible(q: Query) -> dict[tuple[str, str], Number]:
    return count_people(
        _identified(q).filter(Q(invisible_at_identification=True)), "reperage_channel", q, "identified_on"
    )


register(
    Indicator(
        code="people.identified",
        name="Personnes repérées",
        definition=(
            "Personnes dont la fiche a été créée dans la période (date de repérage comprise entre le début et "
            "la fin), par canal de repérage. L'âge est celui à la date de repérage ; la structure est la "
            "structure référente."
        ),
        unit=Unit.PEOPLE,
        categories=_channels,
        compute=identified,
        cuts=PEOPLE_CUTS,
        overlapping_cuts=OVERLAPPING,
        section=SECTION,
    )
)

register(
    Indicator(
        code="people.invisible_reached",
        name="Invisibles atteints (hors radar)",
        definition=(
            "Personnes repérées dans la période qui, au moment du repérage, n'étaient inscrites auprès "
            "d'aucune structure du service public de l'emploi ni suivies par aucune, par canal de repérage."
        ),
        unit=Unit.PEOPLE,
        categories=_channels,
        compute=invisible,
        cuts=PEOPLE_CUTS,
        overlapping_cuts=OVERLAPPING,
        section=SECTION,
    )
)


# --- Accompanied and hooked to droit commun ---------------------------------------------------------------

#: a date before any fact, standing for « never » in the comparisons below
NEVER = date(1900, 1, 1)


def _latest(qs: QuerySet, field: str) -> Coalesce:
    """The latest `field` of a per-person subquery (one seek in the index on (person, field)), NEVER when
    there is none."""
    latest = Subquery(qs.filter(**{f"{field}__isnull": False}).order_by(f"-{field}").values(field)[:1])
    return Coalesce(latest, Value(NEVER), output_field=DateField())


def _accompanied_parts(q: Query) -> tuple[QuerySet[Beneficiary], QuerySet[Beneficiary]]:
    """People whose pathway is open on at least one day of the period (see the definition below), in two
    disjoint parts: those who never exited before the start, and those who exited before it and came back.

    The pathway is open when the person was identified by the end and either never exited before the start
    (no outcome, no cohort exit dated before it) or was active after their last exit: active in the period
    (journal entry, cohort integration, orientation sent), in a cohort still running at the start, or active
    between their last exit and the start. Each test is an EXISTS on the person alone, with the period as
    constant bounds: one seek in the index on (person, date) on SQLite, an anti- or semi-join on
    PostgreSQL. Apart, the second part is small, and PostgreSQL plans its tests for a few people (index
    seeks), not for everybody; only those who were not active in the period compare their last exit with
    their last activity before the start."""
    from citemploi.cohorts.models import CohortMember
    from citemploi.orientations.models import Orientation
    from citemploi.tracking.models import JournalEntry, Outcome

    start, end = q.period.start, q.period.end
    day_start, day_end = local_day_bounds(q.period)
    person = OuterRef("pk")
    # an exit dated on or before NEVER counts as none (it would not beat NEVER in the comparison below)
    # (one semi-join over both kinds of exit, so that PostgreSQL knows how few people exited)
    exits = (
        Outcome.objects.filter(outcome_on__lt=start, outcome_on__gt=NEVER)
        .order_by()
        .values("beneficiary_id")
        .union(
            CohortMember.objects.filter(exited_on__lt=start, exited_on__gt=NEVER)
            .order_by()
            .values("beneficiary_id"),
            all=True,
        )
    )
    exited = Q(pk__in=exits)
    if _postgresql():
        # NOT IN cannot become an anti-join (NULL semantics): PostgreSQL tests it with a hashed subplan only
        # while the exits fit in work_mem, and otherwise rescans the list of exits for every person (hours
        # at national scale). NOT EXISTS is an anti-join, whatever the number of exits.
        not_exited = ~Q(
            Exists(Outcome.objects.filter(beneficiary=person, outcome_on__lt=start, outcome_on__gt=NEVER))
        ) & ~Q(
            Exists(CohortMember.objects.filter(beneficiary=person, exited_on__lt=start, exited_on__gt=NEVER))
        )
    else:
        not_exited = ~exited
    # activity in the period, after any exit dated before the start; or a cohort still running at the start
    active_in_period = (
        Q(
            Exists(
                JournalEntry.objects.filter(beneficiary=person, occurred_on__gte=start, occurred_on__lte=end)
            )
        )
        | Q(
            Exists(
                CohortMember.objects.filter(beneficiary=person, integrated_on__lte=end).filter(
                    Q(integrated_on__gte=start) | Q(exited_on__isnull=True) | Q(exited_on__gte=start)
                )
            )
        )
        | Q(
            Exists(
                Orientation.objects.filter(beneficiary=person, sent_at__gte=day_start, sent_at__lt=day_end)
            )
        )
    )
    # activity between the last exit and the start: the latest activity before the start (the latest
    # orientation sent before the first day, as a Paris date) is later than the latest exit before it
    last_exit = Greatest(
        _latest(Outcome.objects.filter(beneficiary=person, outcome_on__lt=start), "outcome_on"),
        _latest(CohortMember.objects.filter(beneficiary=person, exited_on__lt=start), "exited_on"),
    )
    last_sent = Subquery(
        Orientation.objects.filter(beneficiary=person, sent_at__lt=day_start)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    last_activity = Greatest(
        _latest(JournalEntry.objects.filter(beneficiary=person, occurred_on__lt=start), "occurred_on"),
        _latest(CohortMember.objects.filter(beneficiary=person, integrated_on__lt=start), "integrated_on"),
        Coalesce(TruncDate(last_sent), Value(NEVER), output_field=DateField()),
    )
    back_before_start = Q(GreaterThan(last_activity, last_exit))
    identified = _people(q).filter(identified_on__lte=end)
    # (the last test only runs for the people not active in the period)
    return identified.filter(not_exited), identified.filter(exited).filter(
        active_in_period | back_before_start
    )


def _postgresql() -> bool:
    return connections[router.db_for_read(Beneficiary)].vendor == "postgresql"


def _people(q: Query) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(cite_id__in=q.cite_ids)
    if q.qpv_id:
        qs = qs.filter(qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(responsible_structure_id=q.structure_id)
    return qs


def _hooked_in_period(q: Query, *, many: bool) -> Q:
    """Hooked in the period: a droit-commun orientation answered (and not refused) or started in it, or a
    public employment service structure added to the follow-up group in it, on the instants where the
    period's Paris days begin (no conversion of each row). `many`: whether it is tested for many people.

    On SQLite, and for a few people, an EXISTS on the person for each kind of fact: one seek in the index on
    the person. On PostgreSQL, for many people, one IN over both kinds of facts, to be used in a WHERE clause
    only (see `accompaniment`): there it becomes a semi-join, hashed or merged whatever the number of facts.
    (An EXISTS would run a join once per person; an IN inside an aggregate's FILTER is a subplan, hashed only
    while the facts fit in work_mem and otherwise rescanned for every person.)"""
    from citemploi.offer.enums import ServiceNature
    from citemploi.orientations.enums import Status
    from citemploi.orientations.models import Orientation
    from citemploi.partners.enums import SPE_KINDS
    from citemploi.people.models import FollowUpMember

    start, end = local_day_bounds(q.period)
    orientations = Orientation.objects.filter(service__nature=ServiceNature.DROIT_COMMUN).filter(
        (Q(answered_at__gte=start, answered_at__lt=end) & ~Q(status=Status.REFUSED))
        | Q(started_at__gte=start, started_at__lt=end)
    )
    followed = FollowUpMember.objects.filter(
        structure__kind__in=SPE_KINDS, added_at__gte=start, added_at__lt=end
    )
    if many and _postgresql():
        # (only the asked cités' facts: a cité's own, not the whole country's, are hashed)
        orientations = orientations.filter(beneficiary__cite_id__in=q.cite_ids)
        followed = followed.filter(beneficiary__cite_id__in=q.cite_ids)
        facts = (
            orientations.order_by()
            .values("beneficiary_id")
            .union(followed.order_by().values("beneficiary_id"), all=True)
        )
        return Q(pk__in=facts)
    return Q(Exists(orientations.filter(beneficiary=OuterRef("pk")))) | Q(
        Exists(followed.filter(beneficiary=OuterRef("pk")))
    )


def _accompaniment_rows() -> list[tuple[str, str]]:
    return [("accompanied", "Personnes accompagnées"), ("hooked", "dont raccrochées au droit commun")]


def accompaniment(q: Query) -> dict[tuple[str, str], Number]:
    """One GROUP BY over each part of the accompanied people, the hooked ones counted with a filter (by
    funded action, one per row: see funded.py); the parts are disjoint, so their counts add up. The age is
    the one at the end of the period."""
    on_end = Value(q.period.end, output_field=DateField())
    cut = person_cut(q.cut, on_end) if q.cut != Cut.ACTION else None
    out: dict[tuple[str, str], Number] = {}
    never_exited, came_back = _accompanied_parts(q)
    for qs, many in ((never_exited, True), (came_back, False)):
        hooked = _hooked_in_period(q, many=many)
        if q.cut == Cut.ACTION:
            parts = [
                count_people(qs, Value("accompanied"), q, on_end),
                count_people(qs.filter(hooked), Value("hooked"), q, on_end),
            ]
            for part in parts:
                for key, value in part.items():
                    out[key] = out.get(key, 0) + value  # type: ignore[operator]
            continue
        column = cut if cut is not None else Value(ALL)
        if many and _postgresql():
            # the hooked people in a query of their own, where their IN is a semi-join (see _hooked_in_period)
            rows = [
                *_grouped(qs, column, accompanied=Count("id", distinct=True)),
                *_grouped(qs.filter(hooked), column, hooked=Count("id", distinct=True)),
            ]
        else:
            rows = _grouped(
                qs,
                column,
                accompanied=Count("id", distinct=True),
                hooked=Count("id", distinct=True, filter=hooked),
            )
        for row in rows:
            col = str(row["_col"]) if row["_col"] is not None else UNKNOWN
            for name in ("accompanied", "hooked"):
                if row.get(
                    name
                ):  # (a column where nobody is hooked has no hooked cell, as in the other counts)
                    out[(name, col)] = out.get((name, col), 0) + row[name]
    return out


def _grouped(qs: QuerySet[Beneficiary], column: Expression, **counts: Count) -> list[dict[str, Any]]:
    rows: Any = qs.order_by().annotate(_col=column).values("_col").annotate(**counts)
    return list(rows)


register(
    Indicator(
        code="people.accompanied_hooked",
        name="Personnes accompagnées et raccrochées au droit commun",
        definition=(
            "Accompagnées : personnes dont le parcours est ouvert au moins un jour de la période. Notre "
            "lecture : le parcours s'ouvre à la date de repérage (création de la fiche), au plus tard à la fin "
            "de la période ; il se ferme à la dernière sortie (tout type de sortie, avec ou sans solution) ou "
            "à la dernière sortie de cohorte datée avant le début de la période, sauf activité ensuite "
            "(entrée du journal, intégration en cohorte, orientation envoyée, ou cohorte toujours en cours au "
            "début de la période). Raccrochées : parmi elles, celles qui, dans la période, ont eu une "
            "orientation vers un service de droit commun acceptée ou commencée, ou ont commencé à être "
            "suivies par une structure du service public de l'emploi (France Travail, mission locale, Cap "
            "emploi : ajout au groupe de suivi daté dans la période). L'âge est celui à la fin de la période ; "
            "la structure est la structure référente."
        ),
        unit=Unit.PEOPLE,
        categories=_accompaniment_rows,
        compute=accompaniment,
        cuts=PEOPLE_CUTS,
        overlapping_cuts=OVERLAPPING,
        section=SECTION,
        additive=False,
    )
)
