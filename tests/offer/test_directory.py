"""The public directory: no sign-in, search by need, place and public, how to get each service; searches
that find nothing are counted as unmet needs."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.offer.models import EmptySearch
from tests.factories import CommuneFactory, QPVFactory, partner_of
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def amiens(world):
    """Amiens (80021) in the cité, its QPV Amiens Nord; Salouël (80724) in the cité, no QPV; Le Mans outside."""
    amiens = CommuneFactory(insee_code="80021", name="Amiens")
    salouel = CommuneFactory(insee_code="80724", name="Salouël")
    le_mans = CommuneFactory(insee_code="72181", name="Le Mans", department="072")
    world.cite.communes.add(amiens, salouel)
    world.cite.epci_siren = "248000556"
    world.cite.save()
    world.qpv.communes.add(amiens)
    world.other_cite.communes.add(le_mans)
    world.amiens, world.salouel, world.le_mans = amiens, salouel, le_mans
    return world


@pytest.fixture
def offer(amiens):
    w = amiens
    w.permis = ServiceFactory(structure=w.asso, driving_school=True, areas=["80021"], city="Amiens")
    w.fle = ServiceFactory(structure=w.asso, french_course=True, areas=[("epci", "248000556")])
    w.creche = ServiceFactory(structure=w.ml, childcare=True)  # no area: the cités of its structure
    w.national = ServiceFactory(
        structure=w.ft, name="Aide à la mobilité nationale", themes=["mobilite"], areas=[("france", "france")]
    )
    w.sarthe = ServiceFactory(
        structure=w.other_structure, name="Garage solidaire du Mans", themes=["mobilite"], areas=["72181"]
    )
    w.hidden = ServiceFactory(
        structure=w.asso, name="Réservé aux partenaires", themes=["mobilite"], hidden=True
    )
    w.expired = ServiceFactory(structure=w.asso, name="Ancien dispositif", themes=["mobilite"], expired=True)
    w.future = ServiceFactory(
        structure=w.asso, name="Pas encore ouvert", themes=["mobilite"], opens_on=date(2099, 1, 1)
    )
    return w


def _names(response):
    return {row["service"].name for row in response.context["rows"]}


def test_the_directory_needs_no_sign_in(client, offer):
    home = client.get("/services/")
    assert home.status_code == 200
    body = home.content.decode()
    assert '<label class="fr-label" for="id_frein">' in body and "Me déplacer, passer le permis" in body
    assert 'name="viewport"' in body


def test_search_by_barrier_shows_published_current_services_of_every_cite(client, offer):
    response = client.get("/services/resultats/", {"frein": "mobilite"})
    assert _names(response) == {
        "Auto-école sociale",
        "Aide à la mobilité nationale",
        "Garage solidaire du Mans",
    }


def test_search_by_commune_keeps_the_services_covering_it(client, offer):
    response = client.get("/services/resultats/", {"frein": "mobilite", "commune": "80021"})
    assert _names(response) == {"Auto-école sociale", "Aide à la mobilité nationale"}
    salouel = client.get("/services/resultats/", {"commune": "80724"})
    # The EPCI of the cité covers Salouël; the crèche has no area: it serves the cités of the Mission locale.
    assert _names(salouel) == {
        "Atelier de français à visée professionnelle",
        "Crèche à vocation d'insertion professionnelle",
        "Aide à la mobilité nationale",
    }
    le_mans = client.get("/services/resultats/", {"commune": "72181"})
    assert _names(le_mans) == {"Garage solidaire du Mans", "Aide à la mobilité nationale"}


def test_search_by_qpv_uses_its_communes(client, offer):
    response = client.get("/services/resultats/", {"quartier": "QN08003M", "frein": "contraintes-familiales"})
    assert _names(response) == {"Crèche à vocation d'insertion professionnelle"}


def test_search_by_theme_and_by_public(client, offer):
    french = client.get("/services/resultats/", {"theme": "lecture-ecriture-calcul--maitriser-le-francais"})
    assert _names(french) == {"Atelier de français à visée professionnelle"}
    by_category = client.get("/services/resultats/", {"theme": "famille"})
    assert _names(by_category) == {"Crèche à vocation d'insertion professionnelle"}
    # Services naming no public are for everyone; the FLE workshop is for QPV residents and exiles only.
    young = client.get("/services/resultats/", {"public": "jeunes", "commune": "80724"})
    assert "Atelier de français à visée professionnelle" not in _names(young)
    residents = client.get("/services/resultats/", {"public": "residents-qpv-frr", "commune": "80724"})
    assert "Atelier de français à visée professionnelle" in _names(residents)


def test_an_empty_search_is_recorded_with_what_and_where_only(client, offer):
    response = client.get(
        "/services/resultats/",
        {"frein": "logement", "quartier": "QN08003M", "public": "jeunes"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    assert "Aucun service ne correspond" in response.content.decode()
    client.get("/services/resultats/", {"frein": "logement", "quartier": "QN08003M", "public": "jeunes"})
    record = EmptySearch.objects.get()
    assert (record.barrier, record.public, record.qpv_code, record.cite) == (
        "logement",
        "jeunes",
        "QN08003M",
        offer.cite,
    )
    assert record.count == 2
    assert "203.0.113.9" not in str(list(EmptySearch.objects.values()))
    # A search that finds something is not recorded; neither is a search without criteria.
    client.get("/services/resultats/", {"frein": "mobilite"})
    client.get("/services/resultats/")
    assert EmptySearch.objects.count() == 1


def test_a_place_of_several_cites_is_recorded_without_a_cite(client, offer):
    shared = QPVFactory(code="QN08099M", name="Quartier partagé")
    offer.cite.qpvs.add(shared)
    offer.other_cite.qpvs.add(shared)
    client.get("/services/resultats/", {"quartier": "QN08099M", "frein": "logement"})
    assert EmptySearch.objects.get().cite is None


def test_values_outside_the_lists_are_refused_and_not_recorded(client, offer):
    response = client.get("/services/resultats/", {"frein": "<script>", "commune": "99999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Votre recherche est à corriger" in body and "fr-select--error" in body
    assert "<script>" not in body
    assert not EmptySearch.objects.exists()


def test_the_service_page_says_how_to_get_it(client, offer):
    offer.permis.prescribers = "Conseiller·ère France Travail ou Mission locale"
    offer.permis.mobilisable_par = ["professionnels"]
    offer.permis.modes_mobilisation = ["telephoner"]
    offer.permis.phone = "03 22 00 00 00"
    offer.permis.save()
    body = client.get(f"/services/{offer.permis.pk}/").content.decode()
    assert "Comment en bénéficier" in body
    assert "Demandez à votre conseiller·ère de vous y inscrire" in body
    assert 'href="tel:03 22 00 00 00"' in body
    assert "12 places" in body and "liste d'attente (5 personnes)" in body
    assert "Me déplacer, passer le permis" in body
    # Without the theme referential, residents read the category, never a code.
    assert "mobilite--preparer-un-permis" not in body and "<p>Mobilité</p>" in body


def test_a_service_for_residents_themselves_says_so(client, offer):
    offer.fle.mobilisable_par = ["usagers"]
    offer.fle.modes_mobilisation = ["se-presenter"]
    offer.fle.address, offer.fle.postcode, offer.fle.city = "12 rue Saint-Leu", "80000", "Amiens"
    offer.fle.save()
    body = client.get(f"/services/{offer.fle.pk}/").content.decode()
    assert "Vous pouvez le demander vous-même." in body
    assert "Présentez-vous sur place" in body and "12 rue Saint-Leu" in body
    assert "Gratuit" in body


@pytest.mark.parametrize("which", ["hidden", "expired", "future"])
def test_unpublished_or_out_of_date_services_have_no_public_page(client, offer, which):
    assert client.get(f"/services/{getattr(offer, which).pk}/").status_code == 404


def test_the_results_query_count_is_pinned(client, offer):
    for i in range(25):
        ServiceFactory(structure=offer.asso, name=f"Permis {i}", themes=["mobilite--preparer-un-permis"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            "/services/resultats/", {"frein": "mobilite", "commune": "80021", "public": "jeunes"}
        )
    assert response.status_code == 200 and len(response.context["rows"]) == 20
    # vocabulary + commune + its cités + count + page + themes + the selects (communes, QPV), plus the rate
    # limit of the public search: 5 queries for the first request of a window (counter row created in a
    # savepoint, then read), 2 afterwards
    assert len(ctx.captured_queries) <= 13, [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        client.get("/services/resultats/", {"frein": "logement", "quartier": "QN08003M"})
    # vocabulary + QPV + its communes + its cités + count + empty-search update and insert + the selects,
    # plus the rate limit's counter in the same window (increment and read)
    assert len(ctx.captured_queries) <= 11, [q["sql"] for q in ctx.captured_queries]


def test_the_service_page_query_count_is_pinned(client, offer):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/services/{offer.permis.pk}/").status_code == 200
    # service + themes + publics + areas + vocabulary
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]


def test_services_of_another_structure_kind_are_found_too(client, amiens):
    spip = partner_of(amiens.cite, spip=True)
    ServiceFactory(
        structure=spip, name="Permanence justice", themes=["difficultes-administratives-ou-juridiques"]
    )
    response = client.get(
        "/services/resultats/", {"frein": "difficultes-administratives", "commune": "80021"}
    )
    assert _names(response) == {"Permanence justice"}


def test_a_search_matching_more_than_the_cap_says_more_than_and_pages_through_the_cap(
    client, offer, monkeypatch
):
    from citemploi.www.directory import views

    monkeypatch.setattr(views, "RESULTS_COUNT_CAP", 4)
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)
    for i in range(3):
        ServiceFactory(structure=offer.asso, name=f"Permis {i}", themes=["mobilite--preparer-un-permis"])
    # 6 services lift the mobility barrier: counted up to the cap, listed up to the cap in name order (the
    # last page stops at the 4th: "Aide…", "Auto-école…", "Garage…", "Permis 0")
    response = client.get("/services/resultats/", {"frein": "mobilite"})
    paginator = response.context["page"].paginator
    assert (paginator.capped, paginator.count, paginator.num_pages) == (True, 4, 2)
    assert "Plus de 4 services trouvés" in response.content.decode()
    last = client.get("/services/resultats/", {"frein": "mobilite", "page": 9})
    assert [row["service"].name for row in last.context["rows"]] == ["Garage solidaire du Mans", "Permis 0"]
    # under the cap, the exact number
    monkeypatch.setattr(views, "RESULTS_COUNT_CAP", 6)
    response = client.get("/services/resultats/", {"frein": "mobilite"})
    assert (response.context["page"].paginator.capped, response.context["page"].paginator.count) == (False, 6)
    assert "6 services trouvés" in response.content.decode()
