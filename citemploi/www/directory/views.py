"""The public directory of services: no sign-in, plain French, made for a phone first.

A resident searches by need (one of the 11 barriers in their words, or a theme), by commune or QPV, and by
public; each service page says how to get the service. Searches that find nothing are counted (what was asked,
where, which day — nothing about who asked) as a signal of unmet needs for the cité's diagnostic.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from citemploi.core.ratelimit import rate_limit
from citemploi.offer import queries, services
from citemploi.offer.enums import Mobiliser, ModeAccueil, ModeMobilisation, Public
from citemploi.offer.models import Service
from citemploi.offer.referentials import BARRIERS, BARRIERS_BY_CODE, barriers_for_themes
from citemploi.www.directory.forms import SearchForm

RESULTS_PER_PAGE = 20
#: the results are counted up to this number, then shown as "more than": a search matching tens of thousands of
#: services nationally costs the same as one matching a thousand (a resident refines rather than reading 50
#: pages), and the page's cost no longer grows with the national offer
RESULTS_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), and pages through `cap`."""

    def __init__(self, object_list, per_page: int, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def found(self) -> int:
        # unordered: any cap + 1 rows tell whether there are more, without sorting every match
        return int(self.object_list.order_by()[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.found > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.found, self.cap)


def _paginate_results(request: HttpRequest, qs) -> Page:
    return CappedPaginator(qs, RESULTS_PER_PAGE, RESULTS_COUNT_CAP).get_page(request.GET.get("page"))


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(vocabulary=queries.theme_vocabulary())
    return render(request, "directory/home.html", {"form": form, "barriers": BARRIERS})


@login_not_required
@rate_limit(
    "directory.search", limit=lambda: settings.DIRECTORY_SEARCH_PER_MINUTE, window=60, methods=("GET",)
)
def results(request: HttpRequest) -> HttpResponse:
    vocabulary = queries.theme_vocabulary()
    form = SearchForm(request.GET or None, vocabulary=vocabulary)
    if not form.is_valid():
        return render(
            request, "directory/results.html", {"form": form, "page": None, "rows": [], "asked": []}
        )
    search = form.search()
    place = queries.resolve_place(search.commune, search.qpv)
    today = timezone.localdate()
    page = _paginate_results(request, queries.directory_search(search, place, today))
    if page.paginator.count == 0:
        services.record_empty_search(search, place, today)
    rows = [
        {"service": s, "barriers": barriers_for_themes(t.code for t in s.themes.all())}
        for s in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/results.html",
        {
            "form": form,
            "searched": True,
            "page": page,
            "rows": rows,
            "querystring": query.urlencode(),
            "asked": _asked(search, place, vocabulary),
            "has_criteria": search.has_criteria,
        },
    )


def _asked(search: queries.Search, place: queries.Place, vocabulary) -> list[str]:
    """What was asked, in words, to remind it above the results."""
    asked = []
    if search.barrier:
        asked.append(BARRIERS_BY_CODE[search.barrier].public_label)
    if search.theme:
        asked.append(vocabulary.label(search.theme))
    if place.given:
        asked.append(place.label)
    if search.public:
        asked.append(dict(Public.choices)[search.public])
    return asked


@login_not_required
def service(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    try:
        found = queries.with_details(queries.directory_services(today)).get(pk=pk)
    except (Service.DoesNotExist, OverflowError) as exc:
        raise Http404("Ce service n'existe pas ou n'est plus proposé.") from exc
    vocabulary = queries.theme_vocabulary()
    themes = [t.code for t in found.themes.all()]
    modes = set(found.modes_mobilisation)
    return render(
        request,
        "directory/service.html",
        {
            "service": found,
            "barriers": barriers_for_themes(themes),
            "themes": list(dict.fromkeys(vocabulary.plain_label(code) for code in themes)),
            "publics": queries.labels_of(
                (p.code for p in found.publics.all() if p.code != Public.TOUS_PUBLICS), Public.choices
            ),
            "for_everyone": not found.publics.all()
            or any(p.code == Public.TOUS_PUBLICS for p in found.publics.all()),
            "by_residents": Mobiliser.USAGERS in found.mobilisable_par or not found.mobilisable_par,
            "by_professionals": Mobiliser.PROFESSIONNELS in found.mobilisable_par,
            "by_phone": ModeMobilisation.TELEPHONER in modes and (found.phone or found.structure.phone),
            "by_email": ModeMobilisation.COURRIEL in modes and (found.email or found.structure.email),
            "in_person": ModeMobilisation.SE_PRESENTER in modes,
            "by_link": ModeMobilisation.LIEN in modes and found.mobilisation_link,
            "phone": found.phone or found.structure.phone,
            "email": found.email or found.structure.email,
            "remote": ModeAccueil.DISTANCE in found.modes_accueil,
        },
    )
