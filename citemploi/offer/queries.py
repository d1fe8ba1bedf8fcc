"""Reads of the offer of services: scoped to the acting context for the screens and the API, and the public
directory's search (published, current services, matched by need, place and public)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.offer.enums import AreaKind, Public
from citemploi.offer.models import (
    EmptySearch,
    Service,
    ServiceArea,
    ServicePublic,
    ServiceTheme,
    Thematique,
    stale_cutoff,
)
from citemploi.offer.referentials import (
    BARRIERS,
    BARRIERS_BY_CODE,
    THEME_SEPARATOR,
    Barrier,
    ThemeVocabulary,
    category_of,
    department_of_commune,
)
from citemploi.partners.models import Partnership, Structure
from citemploi.territory.models import QPV, Cite, Commune

# --- Vocabulary -------------------------------------------------------------------------------------------


def theme_vocabulary() -> ThemeVocabulary:
    """The theme codes and labels known to the platform (one query)."""
    return ThemeVocabulary(sub_themes=dict(Thematique.objects.values_list("code", "label")))


# --- Scoped reads -----------------------------------------------------------------------------------------


def services_for(ctx: ActingContext | None, action: str = "service.view") -> QuerySet[Service]:
    """The services an acting context reaches for an action.

    - ALL (national): every service;
    - CITE: services of the structures partner of the acting cité;
    - OWN_STRUCTURE: services of the acting structure, if it is partner of the acting cité.
    """
    if ctx is None or ctx.membership is None:
        return Service.objects.none()
    scope = ctx.scope(action)
    if scope == Scope.ALL:
        return Service.objects.all()
    if scope == Scope.CITE:
        return Service.objects.filter(
            Exists(Partnership.objects.filter(structure=OuterRef("structure"), cite_id=ctx.cite_id))
        )
    if scope == Scope.OWN_STRUCTURE and ctx.structure_id:
        return Service.objects.filter(
            structure_id=ctx.structure_id,
            structure__partnerships__cite_id=ctx.cite_id,
        )
    return Service.objects.none()


def access_service_for(ctx: ActingContext, pk: int, action: str = "service.view") -> Service:
    """A service in reach of the acting context; 404 for absent and out of reach alike."""
    require(ctx, action)
    try:
        return services_for(ctx, action).select_related("structure", "funding_cite").get(pk=pk)
    except (Service.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404("Introuvable.") from exc


def can_edit(ctx: ActingContext, service: Service) -> bool:
    return ctx.can("service.edit") and services_for(ctx, "service.edit").filter(pk=service.pk).exists()


def structures_for(ctx: ActingContext, action: str) -> QuerySet[Structure]:
    """Structures whose services the acting context may create, edit or import for `action`."""
    if ctx.membership is None:
        return Structure.objects.none()
    scope = ctx.scope(action)
    partners = Structure.objects.filter(partnerships__cite_id=ctx.cite_id)
    if scope == Scope.CITE:
        return partners.order_by("name", "id")
    if scope == Scope.OWN_STRUCTURE and ctx.structure_id:
        return partners.filter(pk=ctx.structure_id)
    return Structure.objects.none()


def with_details(qs: QuerySet[Service]) -> QuerySet[Service]:
    """Services with their structure, themes, publics and areas loaded in four queries."""
    return qs.select_related("structure").prefetch_related(
        Prefetch("themes", queryset=ServiceTheme.objects.order_by("code")),
        Prefetch("publics", queryset=ServicePublic.objects.order_by("code")),
        Prefetch("areas", queryset=ServiceArea.objects.order_by("kind", "code")),
    )


# --- Filters shared by the screens, the API and the directory ---------------------------------------------


def _has_theme(condition: Q) -> Exists:
    return Exists(ServiceTheme.objects.filter(condition, service=OuterRef("pk")))


def barrier_condition(barrier: Barrier) -> Exists:
    """Services having a theme that lifts the barrier (a whole-category theme counts for its sub-themes)."""
    return _has_theme(
        Q(category__in=barrier.categories) | Q(code__in=barrier.themes) | Q(code__in=barrier.theme_categories)
    )


def theme_condition(code: str) -> Exists:
    """Services with this theme: a category matches all its sub-themes; a sub-theme matches itself and the
    services covering its whole category."""
    if THEME_SEPARATOR not in code:
        return _has_theme(Q(category=code))
    return _has_theme(Q(code=code) | Q(code=category_of(code)))


def public_condition(public: str) -> Q:
    """Services for this public, for every public, or that name no public at all."""
    return Q(
        Exists(ServicePublic.objects.filter(service=OuterRef("pk"), code__in=[public, Public.TOUS_PUBLICS]))
    ) | ~Q(Exists(ServicePublic.objects.filter(service=OuterRef("pk"))))


def stale_condition(today: date) -> Q:
    return Q(last_updated_on__lt=stale_cutoff(today))


def current_condition(today: date) -> Q:
    """Open (or with no opening date) and not expired."""
    return (Q(opens_on__isnull=True) | Q(opens_on__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def filter_services(qs: QuerySet[Service], params: dict[str, Any], today: date) -> QuerySet[Service]:
    """Filters of the management list and the API: q, barrier, theme, structure, step, nature, stale."""
    if params.get("q"):
        qs = qs.filter(Q(name__icontains=params["q"]) | Q(structure__name__icontains=params["q"]))
    barrier = BARRIERS_BY_CODE.get(params.get("barrier") or "")
    if barrier is not None:
        qs = qs.filter(barrier_condition(barrier))
    if params.get("theme"):
        qs = qs.filter(theme_condition(params["theme"]))
    structure = params.get("structure")
    if structure:
        qs = qs.filter(structure_id=getattr(structure, "pk", structure))
    if params.get("step"):
        qs = qs.filter(step=params["step"])
    if params.get("nature"):
        qs = qs.filter(nature=params["nature"])
    if params.get("stale") is True or params.get("stale") == "oui":
        qs = qs.filter(stale_condition(today))
    elif params.get("stale") is False or params.get("stale") == "non":
        qs = qs.exclude(stale_condition(today))
    return qs


def service_rows(ctx: ActingContext, params: dict[str, Any], today: date) -> QuerySet[Service]:
    """The management list: services in reach, filtered, by name."""
    return with_details(filter_services(services_for(ctx), params, today)).order_by("name", "id")


def stale_services(ctx: ActingContext, today: date) -> QuerySet[Service]:
    """Services of the cité not updated for six months, the oldest first (coordinators)."""
    require(ctx, "service.stale_list")
    return (
        services_for(ctx, "service.stale_list")
        .filter(stale_condition(today))
        .select_related("structure")
        .order_by("last_updated_on", "name", "id")
    )


def barrier_counts(ctx: ActingContext) -> list[tuple[Barrier, int]]:
    """Each barrier with the number of services in reach that lift it."""
    qs = services_for(ctx)
    totals = qs.aggregate(**{f"b{b.number}": Count("pk", filter=Q(barrier_condition(b))) for b in BARRIERS})
    return [(b, totals[f"b{b.number}"] or 0) for b in BARRIERS]


# --- Public directory -------------------------------------------------------------------------------------


@dataclass
class Place:
    """Where a resident searches: a commune or a QPV, its communes and the cités covering it."""

    communes: list[Commune] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    commune: Commune | None = None
    qpv: QPV | None = None

    @property
    def given(self) -> bool:
        return self.commune is not None or self.qpv is not None

    @property
    def single_cite(self) -> Cite | None:
        return self.cites[0] if len(self.cites) == 1 else None

    @property
    def label(self) -> str:
        if self.qpv is not None:
            return f"quartier {self.qpv.name}"
        return self.commune.name if self.commune is not None else ""


def resolve_place(commune: Commune | None, qpv: QPV | None) -> Place:
    """The communes and cités of a searched place (a QPV wins over a commune: it is more precise)."""
    if qpv is not None:
        return Place(
            communes=list(qpv.communes.all()), cites=list(qpv.cites.order_by("name")), commune=None, qpv=qpv
        )
    if commune is not None:
        return Place(communes=[commune], cites=list(commune.cites.order_by("name")), commune=commune)
    return Place()


def place_condition(place: Place) -> Q:
    """Services whose area covers one of the place's communes (by commune, département, EPCI of a cité
    covering it, or the whole country), or with no area given and run by a partner of a cité covering it."""
    codes = {c.insee_code for c in place.communes}
    departments = {department_of_commune(code) for code in codes}
    epcis = {c.epci_siren for c in place.cites if c.epci_siren}
    covers = (
        Q(kind=AreaKind.COMMUNE, code__in=codes)
        | Q(kind=AreaKind.DEPARTEMENT, code__in=departments)
        | Q(kind=AreaKind.EPCI, code__in=epcis)
        | Q(kind=AreaKind.FRANCE)
    )
    in_area = Q(Exists(ServiceArea.objects.filter(covers, service=OuterRef("pk"))))
    no_area = ~Q(Exists(ServiceArea.objects.filter(service=OuterRef("pk"))))
    partner_here = Q(
        Exists(
            Partnership.objects.filter(structure=OuterRef("structure"), cite__in=[c.pk for c in place.cites])
        )
    )
    return in_area | (no_area & partner_here)


def directory_services(today: date) -> QuerySet[Service]:
    """Services shown to the public: published, open and not expired."""
    return Service.objects.filter(current_condition(today), published=True)


@dataclass(frozen=True)
class Search:
    """What a resident asked the public directory. Every value comes from a closed list."""

    barrier: str = ""
    theme: str = ""
    public: str = ""
    commune: Commune | None = None
    qpv: QPV | None = None

    @property
    def has_criteria(self) -> bool:
        return bool(self.barrier or self.theme or self.public or self.commune or self.qpv)


def directory_search(search: Search, place: Place, today: date) -> QuerySet[Service]:
    qs = directory_services(today)
    barrier = BARRIERS_BY_CODE.get(search.barrier)
    if barrier is not None:
        qs = qs.filter(barrier_condition(barrier))
    if search.theme:
        qs = qs.filter(theme_condition(search.theme))
    if search.public:
        qs = qs.filter(public_condition(search.public))
    if place.given:
        qs = qs.filter(place_condition(place))
    return (
        qs.select_related("structure")
        .prefetch_related(Prefetch("themes", queryset=ServiceTheme.objects.order_by("code")))
        .order_by("name", "id")
    )


def directory_communes() -> QuerySet[Commune]:
    """Communes a resident can pick: those of a cité's perimeter or with a QPV of a cité."""
    return (
        Commune.objects.filter(Q(cites__isnull=False) | Q(qpvs__cites__isnull=False))
        .distinct()
        .order_by("name", "insee_code")
    )


def directory_qpvs() -> QuerySet[QPV]:
    """QPV of the cités (without their contour: a select list needs the code and the name)."""
    return (
        QPV.objects.filter(cites__isnull=False).only("id", "code", "name").distinct().order_by("name", "code")
    )


# --- Unmet needs ------------------------------------------------------------------------------------------


def empty_searches_for(ctx: ActingContext) -> QuerySet[EmptySearch]:
    require(ctx, "service.unmet_needs")
    if ctx.scope("service.unmet_needs") == Scope.ALL:
        return EmptySearch.objects.all()
    return EmptySearch.objects.filter(cite_id=ctx.cite_id)


def unmet_needs(ctx: ActingContext, since: date | None = None, until: date | None = None) -> list[dict]:
    """Searches that found nothing, grouped by what was asked and where, the most frequent first."""
    qs = empty_searches_for(ctx)
    if since:
        qs = qs.filter(searched_on__gte=since)
    if until:
        qs = qs.filter(searched_on__lte=until)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in qs.values("barrier", "theme", "public", "commune_code", "qpv_code")
        .annotate(total=Sum("count"), last=Max("searched_on"))
        .order_by("-total", "-last", "barrier", "theme", "public", "commune_code", "qpv_code")
    ]
    communes = dict(
        Commune.objects.filter(
            insee_code__in={r["commune_code"] for r in rows if r["commune_code"]}
        ).values_list("insee_code", "name")
    )
    qpvs = dict(
        QPV.objects.filter(code__in={r["qpv_code"] for r in rows if r["qpv_code"]}).values_list(
            "code", "name"
        )
    )
    vocabulary = theme_vocabulary()
    publics = dict(Public.choices)
    for row in rows:
        barrier = BARRIERS_BY_CODE.get(row["barrier"])
        row["barrier_label"] = barrier.label if barrier else ""
        row["theme_label"] = vocabulary.label(row["theme"]) if row["theme"] else ""
        row["public_label"] = publics.get(row["public"], row["public"])
        row["commune_label"] = communes.get(row["commune_code"], row["commune_code"])
        row["qpv_label"] = qpvs.get(row["qpv_code"], row["qpv_code"])
    return rows


def labels_of(codes: Iterable[str], choices: Iterable[tuple[str, str]]) -> list[str]:
    """Labels of codes of a closed list, in the list's order; unknown codes as themselves."""
    table = dict(choices)
    return [table.get(code, code) for code in codes]


def services_count_by_structure(cite_id: int, structure_ids: list[int]) -> dict[int, int]:
    """Published, still valid services of each structure (for the partnership map)."""
    today = timezone.localdate()
    rows = (
        Service.objects.filter(structure_id__in=structure_ids, published=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("structure_id")
        .annotate(n=Count("id"))
    )
    return {row["structure_id"]: row["n"] for row in rows}
