"""Access helpers: the only way web screens, the API, exports and imports read personal data.

Rules (domain.md §6):
- a coordinator sees the cité's people, without sensitive details;
- a référent sees the people their structure is responsible for, and those whose follow-up group
  includes their structure while the person's consent to sharing is active;
- sensitive attributes are shown to the responsible référent only;
- a sensitive structure (probation, addiction care…) is masked from everyone outside it except the
  responsible référent;
- steering, reviewer, holder and national users never see a person.
Absent and forbidden files give the same 404.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary, Consent, FollowUpMember, SensitiveInfo

MASKED_STRUCTURE_LABEL = "Structure non communiquée"


def _active_sharing_consent(person_field: str = "pk") -> Exists:
    return Exists(
        Consent.objects.filter(
            beneficiary=OuterRef(person_field), scope=ConsentScope.SHARING, withdrawn_on__isnull=True
        )
    )


def _scope_filter(ctx: ActingContext, scope: Scope) -> Q | None:
    """The filter a scope puts on beneficiaries; None when it reaches nothing."""
    if scope == Scope.CITE:
        return Q(cite_id=ctx.cite_id)
    if ctx.structure_id is None:
        return None
    responsible = Q(cite_id=ctx.cite_id, responsible_structure_id=ctx.structure_id)
    if scope == Scope.STRUCTURE:
        # The structure's follow-up groups as an uncorrelated set (read once through the index on
        # (structure, ended_at)), not an EXISTS per person of the cité: the database then reads the
        # structure's people and its groups, whatever the size of the cité.
        in_group = (
            FollowUpMember.objects.filter(structure_id=ctx.structure_id, ended_at__isnull=True)
            .filter(_active_sharing_consent("beneficiary_id"))
            .values("beneficiary_id")
        )
        return Q(cite_id=ctx.cite_id) & (Q(responsible_structure_id=ctx.structure_id) | Q(pk__in=in_group))
    if scope == Scope.RESPONSIBLE_STRUCTURE:
        return responsible
    if scope == Scope.RESPONSIBLE:
        return responsible & Q(referent_id=ctx.user.pk)
    return None


def beneficiaries_for(ctx: ActingContext, action: str = "beneficiary.view") -> QuerySet[Beneficiary]:
    """The people the acting context may act on for `action` (empty when denied). Not audited: callers
    that show the rows log the read with `log_list`."""
    scope = ctx.scope(action) if ctx.membership else Scope.NONE
    condition = _scope_filter(ctx, scope) if scope != Scope.NONE else None
    if condition is None:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(condition, anonymised_at__isnull=True)


#: attribute of a Beneficiary instance holding the access checks already made for it (see remember_access)
_ACCESS_MEMO = "_citemploi_access_memo"


def _access_key(ctx: ActingContext, action: str) -> tuple:
    """What the answer of `can` depends on besides the person: the scope of the action and who acts."""
    scope = ctx.scope(action) if ctx.membership else Scope.NONE
    return (scope, ctx.cite_id, ctx.structure_id, ctx.user.pk)


def _scope_reaches_loaded(ctx: ActingContext, scope: Scope, beneficiary: Beneficiary) -> bool | None:
    """The answer of `_scope_filter` for a person just read through the access helpers, from the fields
    the filter compares (cité, responsible structure, référent); None when only the database can answer
    (a follow-up group's structure: its membership and the person's consent are other rows)."""
    if scope == Scope.NONE or ctx.membership is None:
        return False
    if scope == Scope.CITE:
        return beneficiary.cite_id == ctx.cite_id
    if ctx.structure_id is None:
        return False
    responsible = (
        beneficiary.cite_id == ctx.cite_id and beneficiary.responsible_structure_id == ctx.structure_id
    )
    if scope == Scope.STRUCTURE:
        return True if responsible else None
    if scope == Scope.RESPONSIBLE_STRUCTURE:
        return responsible
    if scope == Scope.RESPONSIBLE:
        return responsible and ctx.user.pk is not None and beneficiary.referent_id == ctx.user.pk
    return False


def can(ctx: ActingContext, action: str, beneficiary: Beneficiary) -> bool:
    """Whether the acting context may do `action` on this person (one query; on an instance marked by
    `remember_access`, none when the person's own fields answer, and one per scope otherwise)."""
    memo: dict | None = beneficiary.__dict__.get(_ACCESS_MEMO)
    if memo is None:
        return beneficiaries_for(ctx, action).filter(pk=beneficiary.pk).exists()
    key = _access_key(ctx, action)
    if key not in memo:
        known = _scope_reaches_loaded(ctx, key[0], beneficiary)
        memo[key] = (
            known if known is not None else beneficiaries_for(ctx, action).filter(pk=beneficiary.pk).exists()
        )
    return bool(memo[key])


def remember_access(ctx: ActingContext, beneficiary: Beneficiary, action: str = "beneficiary.view") -> None:
    """Let `can` remember its answers for this instance: for a read-only page that checks many actions on one
    person (its file and the panels of the other domains), actions with the same scope are checked once, and
    scopes that compare only the person's own fields (cité, responsible structure, référent) are answered
    from the instance. `beneficiary` was just read through `access_beneficiary_for(ctx, …, action)` (not
    anonymised, fields fresh from the database), which is an answer for `action`. Not for an instance a
    service is about to change."""
    beneficiary.__dict__[_ACCESS_MEMO] = {_access_key(ctx, action): True}


def access_beneficiary_for(
    ctx: ActingContext, pk: int | str, action: str = "beneficiary.view", *, log_read: bool = True
) -> Beneficiary:
    """The person `pk` if the acting context may do `action` on it; Http404 otherwise. Reads are audited."""
    scope = require(ctx, action)
    try:
        # The person by key, then the scope's rule on the fields it compares (cité, responsible structure,
        # référent): the same rule as `beneficiaries_for`, without building its filter (and its follow-up-group
        # subquery) for every file opened. Only a follow-up group's structure needs the database's answer.
        beneficiary = (
            Beneficiary.objects.filter(anonymised_at__isnull=True)
            .select_related("qpv", "responsible_structure", "referent")
            .defer("qpv__contour")  # a GeoJSON of tens of kB that no screen of a person shows
            .get(pk=pk)
        )
    except (Beneficiary.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc
    allowed = _scope_reaches_loaded(ctx, scope, beneficiary)
    if allowed is None:
        allowed = beneficiaries_for(ctx, action).filter(pk=beneficiary.pk).exists()
    if not allowed:
        raise Http404("Introuvable.")
    if log_read:
        audit.log(ctx, "beneficiary.read", beneficiary, beneficiary_id=beneficiary.pk)
    return beneficiary


def log_list(
    ctx: ActingContext, rows: list[Beneficiary], *, purpose: str, filters: dict | None = None
) -> None:
    """Audit that a list of people was shown (or exported): the event and its people in one transaction (one
    commit, and never an event without the people it names)."""
    from citemploi.core.models import AuditSubject

    with transaction.atomic():
        event = audit.log(
            ctx, f"beneficiary.{purpose}", changes={"count": len(rows), "filters": filters or {}}
        )
        AuditSubject.objects.bulk_create([AuditSubject(event=event, beneficiary_id=b.pk) for b in rows])


def sensitive_for(ctx: ActingContext, beneficiary: Beneficiary) -> SensitiveInfo | None:
    """The sensitive attributes, for the responsible référent only (None for everyone else), and for a
    coordinator of the person's cité during an emergency access they opened (people/breakglass.py)."""
    from citemploi.people import breakglass

    emergency = None
    if not can(ctx, "beneficiary.view_sensitive", beneficiary):
        emergency = breakglass.active_access(ctx, beneficiary)
        if emergency is None or not can(ctx, "beneficiary.view", beneficiary):
            return None
    info = SensitiveInfo.objects.filter(beneficiary=beneficiary).first()
    if info is not None:
        # A distinct code, so that the person's access report shows who read their sensitive data.
        audit.log(
            ctx,
            "beneficiary.sensitive_read",
            beneficiary,
            beneficiary_id=beneficiary.pk,
            changes={"emergency_access": emergency.pk} if emergency else None,
        )
    return info or SensitiveInfo(beneficiary=beneficiary)


def structure_visible(
    ctx: ActingContext, structure_id: int, structure_sensitive: bool, beneficiary: Beneficiary
) -> bool:
    if not structure_sensitive or structure_id == ctx.structure_id:
        return True
    return (
        ctx.user.pk is not None
        and beneficiary.referent_id == ctx.user.pk
        and (beneficiary.responsible_structure_id == ctx.structure_id)
    )


def responsible_structure_label(ctx: ActingContext, beneficiary: Beneficiary) -> str:
    s = beneficiary.responsible_structure
    return s.name if structure_visible(ctx, s.pk, s.sensitive, beneficiary) else MASKED_STRUCTURE_LABEL


@dataclass(frozen=True)
class FollowUpRow:
    member: FollowUpMember
    structure_label: str


def followup_group_for(ctx: ActingContext, beneficiary: Beneficiary) -> list[FollowUpRow]:
    """The active follow-up group, sensitive structures masked (and left out) for those who may not know."""
    rows = []
    members = beneficiary.followup_members.filter(ended_at__isnull=True).select_related("structure", "user")
    for m in members:
        if structure_visible(ctx, m.structure_id, m.structure.sensitive, beneficiary):
            rows.append(FollowUpRow(m, m.structure.name))
    return rows


def consents_for(ctx: ActingContext, beneficiary: Beneficiary) -> QuerySet[Consent]:
    return beneficiary.consents.select_related("recorded_by", "withdrawn_by").all()


def has_active_consent(beneficiary: Beneficiary, scope: str) -> bool:
    return beneficiary.consents.filter(scope=scope, withdrawn_on__isnull=True).exists()


def find_same_identity(
    cite_id: int, identity_key: str, exclude_pk: int | None = None
) -> QuerySet[Beneficiary]:
    """People of the cité with the same identity (names and birth date, accents and case ignored).

    Used by the creation and import services only; callers decide what they may reveal of the match.
    """
    qs = Beneficiary.objects.filter(cite_id=cite_id, identity_key=identity_key, anonymised_at__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def filter_beneficiaries(qs: QuerySet[Beneficiary], params: dict) -> QuerySet[Beneficiary]:
    """Apply the list filters (search words, QPV, structure, gender, age band, channel, invisible)."""
    from datetime import date

    from citemploi.core.text import fold
    from citemploi.people.enums import AgeBand

    q = (params.get("q") or "").strip()
    if q:
        words = fold(q).split()
        cond = Q()
        for word in words:
            cond &= Q(identity_key__contains=word)
        qs = qs.filter(cond | Q(email__iexact=q))
    if params.get("qpv"):
        qs = qs.filter(qpv=params["qpv"])
    if params.get("structure"):
        qs = qs.filter(responsible_structure=params["structure"])
    if params.get("gender"):
        qs = qs.filter(gender=params["gender"])
    if params.get("channel"):
        qs = qs.filter(reperage_channel=params["channel"])
    if params.get("invisible"):
        qs = qs.filter(invisible_at_identification=True)
    band = params.get("age_band")
    if band:
        today = date.today()

        def years_ago(n: int) -> date:
            try:
                return today.replace(year=today.year - n)
            except ValueError:  # 29 February
                return today.replace(year=today.year - n, day=28)

        if band == AgeBand.YOUNG:
            qs = qs.filter(birth_date__gt=years_ago(26))
        elif band == AgeBand.MIDDLE:
            qs = qs.filter(birth_date__lte=years_ago(26), birth_date__gt=years_ago(50))
        elif band == AgeBand.SENIOR:
            qs = qs.filter(birth_date__lte=years_ago(50))
    return qs
