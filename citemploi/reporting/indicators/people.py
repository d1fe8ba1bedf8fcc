"""Indicators about people: identified (by repérage channel), invisible reached (hors radar)."""

from datetime import date

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    Expression,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from citemploi.people.enums import ReperageChannel
from citemploi.people.models import Beneficiary
from citemploi.reporting.indicators.base import (
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


def person_cut(cut: Cut, fact_date: str) -> Expression | None:
    """The SQL expression of a cut on a person's file (age on the date of the fact)."""
    return {
        Cut.NONE: None,
        Cut.CITE: text("cite_id"),
        Cut.QPV: text("qpv_id"),
        Cut.GENDER: text("gender"),
        Cut.AGE_BAND: age_band_expression("birth_date", fact_date),
        Cut.STRUCTURE: structure_expression("responsible_structure"),
    }[cut]


def count_people(
    qs: QuerySet[Beneficiary], category: Expression | str, q: Query, fact_date: str
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
    """The latest `field` of a per-person subquery, NEVER when there is none."""
    return Coalesce(
        Subquery(qs.order_by().values("beneficiary_id").annotate(_m=Max(field)).values("_m")[:1]),
        Value(NEVER),
        output_field=DateField(),
    )


def _accompanied(q: Query) -> QuerySet[Beneficiary]:
    """People whose pathway is open on at least one day of the period (see the definition below)."""
    from citemploi.cohorts.models import CohortMember
    from citemploi.orientations.models import Orientation
    from citemploi.tracking.models import JournalEntry, Outcome

    start, end = q.period.start, q.period.end
    person = OuterRef("pk")
    last_outcome = _latest(Outcome.objects.filter(beneficiary=person, outcome_on__lt=start), "outcome_on")
    last_cohort_exit = _latest(
        CohortMember.objects.filter(beneficiary=person, exited_on__lt=start), "exited_on"
    )
    qs = _people(q).annotate(last_outcome=last_outcome, last_cohort_exit=last_cohort_exit)
    qs = qs.annotate(
        last_exit=Case(
            When(last_outcome__gt=F("last_cohort_exit"), then=F("last_outcome")),
            default=F("last_cohort_exit"),
            output_field=DateField(),
        )
    )
    later = OuterRef("last_exit")
    activity_after_exit = (
        Exists(JournalEntry.objects.filter(beneficiary=person, occurred_on__gt=later, occurred_on__lte=end))
        | Exists(
            CohortMember.objects.filter(beneficiary=person, integrated_on__gt=later, integrated_on__lte=end)
        )
        | Exists(
            CohortMember.objects.filter(beneficiary=person, integrated_on__lte=end).filter(
                Q(exited_on__isnull=True) | Q(exited_on__gte=start)
            )
        )
        | Exists(
            Orientation.objects.annotate(sent_on=TruncDate("sent_at")).filter(
                beneficiary=person, sent_on__gt=later, sent_on__lte=end
            )
        )
    )
    return qs.filter(identified_on__lte=end).filter(Q(last_exit=NEVER) | activity_after_exit)


def _people(q: Query) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(cite_id__in=q.cite_ids)
    if q.qpv_id:
        qs = qs.filter(qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(responsible_structure_id=q.structure_id)
    return qs


def _hooked_in_period(q: Query) -> Q:
    from citemploi.offer.enums import ServiceNature
    from citemploi.orientations.enums import Status
    from citemploi.orientations.models import Orientation
    from citemploi.partners.enums import SPE_KINDS
    from citemploi.people.models import FollowUpMember

    start, end = q.period.start, q.period.end
    person = OuterRef("pk")
    orientation = Orientation.objects.annotate(
        answered_on=TruncDate("answered_at"), started_on=TruncDate("started_at")
    ).filter(beneficiary=person, service__nature=ServiceNature.DROIT_COMMUN)
    accepted = orientation.filter(answered_on__gte=start, answered_on__lte=end).exclude(status=Status.REFUSED)
    started = orientation.filter(started_on__gte=start, started_on__lte=end)
    followed = FollowUpMember.objects.annotate(added_on=TruncDate("added_at")).filter(
        beneficiary=person, structure__kind__in=SPE_KINDS, added_on__gte=start, added_on__lte=end
    )
    return Q(Exists(accepted)) | Q(Exists(started)) | Q(Exists(followed))


def _accompaniment_rows() -> list[tuple[str, str]]:
    return [("accompanied", "Personnes accompagnées"), ("hooked", "dont raccrochées au droit commun")]


def accompaniment(q: Query) -> dict[tuple[str, str], Number]:
    qs = _accompanied(q).annotate(_end=Value(q.period.end, output_field=DateField()))
    accompanied = count_people(qs, Value("accompanied"), q, "_end")
    hooked = count_people(qs.filter(_hooked_in_period(q)), Value("hooked"), q, "_end")
    return {**accompanied, **hooked}


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
