"""Access helpers: the only way screens and the API read cohorts, candidates and commission sessions.

Rules (domain.md §6, need to know):
- a coordinator sees every cohort of the cité and every candidate;
- a référent sees the cohorts (not the drafts) and the candidates their structure proposed; the other
  candidates only as counts;
- a commission member sees the cohorts' summaries and, of the candidates, only those on the agenda of a
  session they are convened to, with minimal data (first name, initial, age band, QPV, proposing
  structure, reason) and never the file;
- steering members see figures only;
- other cités get 404, like absent objects.
Reads of candidate lists are audited (one row per list, with the people shown as subjects).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404

from citemploi.cohorts.enums import CohortState, MemberState
from citemploi.cohorts.models import AgendaItem, Cohort, CohortMember, CommissionSession, Decision, Recusal
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditSubject
from citemploi.people import queries as people_queries
from citemploi.people.enums import AgeBand
from citemploi.people.models import age_band_on

MASKED_STRUCTURE_LABEL = people_queries.MASKED_STRUCTURE_LABEL


class Visibility(StrEnum):
    """How much of a cohort's candidates the acting context sees."""

    ALL = "all"
    OWN_STRUCTURE = "own_structure"
    AGENDA = "agenda"
    NONE = "none"


def visibility(ctx: ActingContext) -> Visibility:
    if ctx.membership is None:
        return Visibility.NONE
    if ctx.can("cohort.manage"):
        return Visibility.ALL
    if ctx.can("cohort.propose"):
        return Visibility.OWN_STRUCTURE
    if ctx.can("commission.view"):
        return Visibility.AGENDA
    return Visibility.NONE


# --- Cohorts ------------------------------------------------------------------------------------------------


def cohorts_for(ctx: ActingContext, action: str = "cohort.view") -> QuerySet[Cohort]:
    """The cohorts of the acting cité; drafts for those who manage cohorts only."""
    if ctx.membership is None or ctx.cite_id is None or not ctx.can(action):
        return Cohort.objects.none()
    qs = Cohort.objects.filter(cite_id=ctx.cite_id)
    if not ctx.can("cohort.manage"):
        qs = qs.exclude(state=CohortState.DRAFT)
    return qs


def access_cohort_for(ctx: ActingContext, pk: int | str, action: str = "cohort.view") -> Cohort:
    require(ctx, action)
    try:
        return cohorts_for(ctx, action).get(pk=pk)
    except (Cohort.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc


# --- Candidates ---------------------------------------------------------------------------------------------


def members_for(ctx: ActingContext, cohort: Cohort | None = None) -> QuerySet[CohortMember]:
    """The candidates the acting context may see (of one cohort, or of the cité's visible cohorts)."""
    qs = CohortMember.objects.filter(cohort__in=cohorts_for(ctx))
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    level = visibility(ctx)
    if level == Visibility.ALL:
        return qs
    if level == Visibility.OWN_STRUCTURE:
        return qs.filter(proposing_structure_id=ctx.structure_id)
    if level == Visibility.AGENDA:
        return qs.filter(agenda_items__session__attendees__membership=ctx.membership).distinct()
    return qs.none()


def access_member_for(ctx: ActingContext, pk: int | str, action: str) -> CohortMember:
    """A candidate the acting context may act on for `action` (cohort.exit: the person's responsible
    structure, or the coordination); 404 otherwise."""
    require(ctx, action)
    people = people_queries.beneficiaries_for(ctx, action)
    try:
        return (
            CohortMember.objects.filter(cohort__in=cohorts_for(ctx), beneficiary__in=people)
            .select_related("cohort", "beneficiary", "proposing_structure")
            .get(pk=pk)
        )
    except (CohortMember.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc


@dataclass(frozen=True)
class Candidate:
    """What a screen shows of a candidate: minimal data, the file's link only for those who may open it."""

    member: CohortMember
    first_name: str
    last_initial: str
    age_band: str
    qpv: str
    structure: str
    reason: str
    #: the person's file, when the acting context may open it (None for commission members)
    beneficiary_id: int | None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_initial}."

    @property
    def state_label(self) -> str:
        return str(self.member.get_state_display())


def structure_label(ctx: ActingContext, member: CohortMember) -> str:
    """A sensitive proposing structure (probation…) is named only to its own members."""
    s = member.proposing_structure
    if s.sensitive and s.pk != ctx.structure_id:
        return MASKED_STRUCTURE_LABEL
    return s.name


def candidates(ctx: ActingContext, members: list[CohortMember], *, purpose: str) -> list[Candidate]:
    """Cards of candidates (loaded with beneficiary, its QPV and the proposing structure), audited as a read
    of a list of people. One query to know which files the acting context may open."""
    if not members:
        return []
    ids = {m.beneficiary_id for m in members}
    openable: set[int] = set()
    if visibility(ctx) in (Visibility.ALL, Visibility.OWN_STRUCTURE):
        openable = set(people_queries.beneficiaries_for(ctx).filter(pk__in=ids).values_list("pk", flat=True))
    cards = []
    for m in members:
        b = m.beneficiary
        band = age_band_on(b.birth_date, m.proposed_on)
        cards.append(
            Candidate(
                member=m,
                first_name=b.first_name,
                last_initial=b.last_name[:1].upper(),
                age_band=str(AgeBand(band).label) if band else "Non renseigné",
                qpv=b.qpv.name if b.qpv_id and b.qpv else "Hors QPV",
                structure=structure_label(ctx, m),
                reason=m.proposal_reason,
                beneficiary_id=b.pk if b.pk in openable else None,
            )
        )
    log_candidates(ctx, [m.beneficiary_id for m in members], purpose=purpose)
    return cards


def log_candidates(ctx: ActingContext, beneficiary_ids: list[int], *, purpose: str) -> None:
    event = audit.log(ctx, f"cohort.{purpose}", changes={"count": len(beneficiary_ids)})
    AuditSubject.objects.bulk_create([AuditSubject(event=event, beneficiary_id=pk) for pk in beneficiary_ids])


def with_card_data(qs: QuerySet[CohortMember]) -> QuerySet[CohortMember]:
    return qs.select_related("beneficiary__qpv", "proposing_structure", "cohort")


def state_counts(cohort: Cohort) -> dict[str, int]:
    """Current number of candidates in each state (counts, shown to everyone who sees the cohort)."""
    from django.db.models import Count

    rows = cohort.members.values("state").annotate(n=Count("id")).order_by()
    counts = {s.value: 0 for s in MemberState}
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


# --- Commission ---------------------------------------------------------------------------------------------


def sessions_for(ctx: ActingContext, action: str = "commission.view") -> QuerySet[CommissionSession]:
    """The coordination sees every session of the cité; others the sessions they are convened to."""
    if ctx.membership is None or ctx.cite_id is None or not ctx.can(action):
        return CommissionSession.objects.none()
    qs = CommissionSession.objects.filter(cite_id=ctx.cite_id)
    if not ctx.can("commission.manage"):
        qs = qs.filter(attendees__membership=ctx.membership).distinct()
    return qs


def access_session_for(
    ctx: ActingContext, pk: int | str, action: str = "commission.view"
) -> CommissionSession:
    require(ctx, action)
    try:
        return sessions_for(ctx, action).get(pk=pk)
    except (CommissionSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    candidate: Candidate
    decision: Decision | None
    recused: list[str]
    acting_recused: bool


def agenda_for(ctx: ActingContext, session: CommissionSession) -> list[AgendaRow]:
    """The session's agenda: minimal candidate cards, the decision taken, who is recused. Audited."""
    items = list(
        session.agenda.select_related(
            "member__beneficiary__qpv", "member__proposing_structure", "member__cohort"
        ).order_by("position", "id")
    )
    decisions = {d.member_id: d for d in session.decisions.all()}
    recusals: dict[int, list[Recusal]] = {}
    for r in session.recusals.select_related("membership__user", "membership__structure"):
        recusals.setdefault(r.member_id, []).append(r)
    cards = candidates(ctx, [i.member for i in items], purpose="agenda_read")
    rows = []
    for item, card in zip(items, cards, strict=True):
        rs = recusals.get(item.member_id, [])
        rows.append(
            AgendaRow(
                item=item,
                candidate=card,
                decision=decisions.get(item.member_id),
                recused=[member_label(r.membership) for r in rs],
                acting_recused=any(r.membership_id == ctx.membership.pk for r in rs)
                if ctx.membership
                else False,
            )
        )
    return rows


def member_label(membership) -> str:  # noqa: ANN001 - a partners.Membership
    user = membership.user
    name = f"{user.first_name} {user.last_name}".strip() or user.email
    return f"{name} ({membership.structure.name})" if membership.structure_id else name


def can_decide(ctx: ActingContext, session: CommissionSession) -> bool:
    """The coordination decides; so does the member chairing the session."""
    if not ctx.can("commission.decide") or ctx.membership is None:
        return False
    return ctx.can("commission.manage") or session.chair_id == ctx.membership.pk
