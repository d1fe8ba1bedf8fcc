"""The partnership screens, per role: what each sees, what each may do, query counts of the key pages."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citemploi.partnership.models import Event, Participation
from citemploi.people.models import Beneficiary
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, partner_of
from tests.partnership.factories import (
    CommitteeFactory,
    EmployerFactory,
    EventFactory,
    MeetingFactory,
    RoadmapActionFactory,
    attended,
    offers,
    seat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    awa = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, first_name="Awa", last_name="Diallo", gender="F"
    )
    karim = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ml, first_name="Karim", last_name="Benali", gender="M"
    )
    return awa, karim


@pytest.fixture
def cafe(world, people):
    event = EventFactory(cite=world.cite, organised_by=world.ft, partnered_by=[world.ml], counted_total=8)
    for person in people:
        attended(event, person)
    return event


# --- Home: map and network ------------------------------------------------------------------------------


def test_home_shows_the_map_by_kind_and_the_network_as_picture_and_table(client, world, cafe):
    committee = CommitteeFactory(cite=world.cite)
    seat(committee, world.ft)
    seat(committee, world.ml)
    seat(committee, world.asso)
    login_as(client, world.steering)
    body = client.get("/partenariat/").content.decode()
    assert "France Travail" in body and "Mission locale" in body  # kinds as groups
    assert (
        "<svg" in body
        and 'role="img"' in body
        and "<script" not in body.split("<main", 1)[1].split("</main>")[0]
    )
    table = body.split("Liens de coopération entre structures", 1)[1].split("</table>", 1)[0]
    # Columns: the two structures, one count per edge source (committees, events, then the sources other
    # domains register: orientations, funded actions…), the total last.
    pairs = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if len(cells) >= 4:
            numbers = [int(c) for c in cells[2:]]
            pairs[frozenset(cells[:2])] = (numbers[0], numbers[1], numbers[-1])
    assert pairs[frozenset((world.ft.name, world.ml.name))] == (1, 1, 2)
    assert pairs[frozenset((world.ft.name, world.asso.name))] == (1, 0, 1)
    assert world.spip.name in body.split("Sans lien pour l'instant", 1)[1]


def test_network_svg_download_escapes_names(client, world):
    partner_of(world.cite, name='Asso <script>alert("x")</script> & Cie')
    login_as(client, world.referent_ft)
    response = client.get("/partenariat/reseau.svg")
    assert response["Content-Type"] == "image/svg+xml"
    content = response.content.decode()
    assert (
        content.startswith('<?xml version="1.0" encoding="UTF-8"?>')
        and 'xmlns="http://www.w3.org/2000/svg"' in content
    )
    assert "<script>" not in content and "&lt;script&gt;" in content


def test_home_query_count_is_pinned(client, world):
    for i in range(20):
        structure = partner_of(world.cite, name=f"Association {i}")
        event = EventFactory(cite=world.cite, organised_by=structure, partnered_by=[world.ft])
        seat(CommitteeFactory(cite=world.cite), structure)
    login_as(client, world.coordinator)
    client.get("/partenariat/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/partenariat/").status_code == 200
    # session, user, membership; partnerships + their QPV; 4 count providers (services of the offer
    # included); QPV counts; structures; 2 edge sources — whatever the number of structures
    # 13 for the page, plus the count providers and edge sources other domains register (orientations,
    # funded actions of the calls): one grouped query each, whatever the number of structures
    assert len(captured.captured_queries) <= 17, [q["sql"] for q in captured.captured_queries]
    assert event is not None
    assert "Services" in client.get("/partenariat/").content.decode()


# --- Events -----------------------------------------------------------------------------------------------


def test_event_list_filters_by_kind_qpv_and_period(client, world):
    EventFactory(
        cite=world.cite, organised_by=world.ft, title="Café de mars", date=date(2024, 3, 14), qpv=world.qpv
    )
    EventFactory(
        cite=world.cite, organised_by=world.ml, forum=True, title="Grand forum", date=date(2024, 6, 1)
    )
    EventFactory(cite=world.other_cite, organised_by=world.other_structure, title="Ailleurs")
    login_as(client, world.steering)
    body = client.get("/partenariat/evenements/").content.decode()
    assert "Café de mars" in body and "Grand forum" in body and "Ailleurs" not in body
    by_kind = client.get("/partenariat/evenements/?kind=forum").content.decode()
    assert "Grand forum" in by_kind and "Café de mars" not in by_kind
    by_qpv = client.get(f"/partenariat/evenements/?qpv={world.qpv.pk}").content.decode()
    assert "Café de mars" in by_qpv and "Grand forum" not in by_qpv
    by_period = client.get(
        "/partenariat/evenements/?date_from=2024-05-01&date_to=2024-12-31"
    ).content.decode()
    assert "Grand forum" in by_period and "Café de mars" not in by_period


def test_event_list_htmx_partial_equals_the_full_page_fragment(client, world):
    EventFactory(cite=world.cite, organised_by=world.ft)
    login_as(client, world.coordinator)
    full = client.get("/partenariat/evenements/?kind=cafe_emploi").content.decode()
    partial = client.get(
        "/partenariat/evenements/?kind=cafe_emploi", headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.strip().startswith('<div id="resultats">')
    assert partial.strip() in full


def test_event_list_query_count_is_pinned(client, world, people):
    for i in range(30):
        event = EventFactory(cite=world.cite, organised_by=world.ft, partnered_by=[world.ml], qpv=world.qpv)
        attended(event, people[i % 2])
    login_as(client, world.coordinator)
    client.get("/partenariat/evenements/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/partenariat/evenements/").status_code == 200
    # session, user, membership; filter form (QPV, structures); count; page; structures; 2 summary aggregates
    assert len(captured.captured_queries) <= 10, [q["sql"] for q in captured.captured_queries]


def test_event_page_query_count_is_pinned(client, world, people):
    event = EventFactory(cite=world.cite, organised_by=world.ft, partnered_by=[world.ml, world.asso])
    for i in range(20):
        attended(
            event, BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft if i % 2 else world.ml)
        )
    login_as(client, world.referent_ft)
    client.get(f"/partenariat/evenements/{event.pk}/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/partenariat/evenements/{event.pk}/").status_code == 200
    # session, user, membership; event with figures; structures; participations count; visible participations;
    # audit of the names shown (event + subjects, in one transaction: savepoint and release); employers
    assert len(captured.captured_queries) <= 12, [q["sql"] for q in captured.captured_queries]


def test_event_page_shows_each_viewer_only_the_people_they_may_see(client, world, cafe, people):
    awa, karim = people
    login_as(client, world.referent_ft)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/").content.decode()
    assert f"/personnes/{awa.pk}/" in body and "DIALLO" in body
    assert "BENALI" not in body and f"/personnes/{karim.pk}/" not in body
    assert "Et 1 autre participant·e" in body
    login_as(client, world.steering)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/").content.decode()
    assert "DIALLO" not in body and "BENALI" not in body
    assert "2 participant·es inscrit·es nominativement" in body
    assert "Enregistrer une nouvelle personne" not in body
    login_as(client, world.coordinator)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/").content.decode()
    assert "DIALLO" in body and "BENALI" in body


def test_event_page_figures_add_named_to_counted(client, world, cafe):
    login_as(client, world.steering)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/").content.decode()
    row = re.search(
        r"<th scope=\"row\">Participant·es</th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>", body
    )
    assert row.groups() == ("8", "2", "10")


def test_events_export_gives_figures_without_names(client, world, cafe):
    login_as(client, world.steering)
    body = client.get("/partenariat/evenements/export.csv?kind=cafe_emploi").content.decode("utf-8-sig")
    header, row = body.splitlines()[:2]
    assert header.startswith("Date;Action;Type") and "dont nommé·es" in header
    values = dict(zip(header.split(";"), row.split(";"), strict=True))
    assert (values["Participant·es (total)"], values["dont nommé·es"]) == ("10", "2")
    assert "Diallo" not in body and "Benali" not in body
    xlsx = client.get("/partenariat/evenements/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/partenariat/evenements/export.pdf").status_code == 404


def test_coordinator_records_an_event_with_counts(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/partenariat/evenements/nouveau/",
        {
            "kind": "job_dating",
            "title": "Job dating de la logistique",
            "date": "2024-04-04",
            "place": "Gymnase",
            "qpv": world.qpv.pk,
            "organisers": [world.ft.pk],
            "partners": [world.ml.pk, world.asso.pk],
            "counted_total": "40",
            "counted_young": "15",
            "counted_women": "18",
            "counted_seniors": "5",
            "counted_qpv": "30",
            "hours_delivered": "4",
            "coordination_hours": "6,5",
            "found_count": "12",
            "hooked_count": "9",
            "employed_count": "3",
        },
    )
    event = Event.objects.get(title="Job dating de la logistique")
    assert response.status_code == 302 and response["Location"] == f"/partenariat/evenements/{event.pk}/"
    assert (event.counted_total, event.coordination_hours, event.employed_count) == (40, 6.5, 3)
    assert {link.structure_id: link.role for link in event.structure_links.all()} == {
        world.ft.pk: "organiser",
        world.ml.pk: "partner",
        world.asso.pk: "partner",
    }


def test_inconsistent_counts_are_shown_on_their_field(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/partenariat/evenements/nouveau/",
        {
            "kind": "forum",
            "title": "Forum",
            "date": "2024-04-04",
            "organisers": [world.ft.pk],
            "counted_total": "5",
            "counted_women": "9",
        },
    )
    assert response.status_code == 200
    assert "Le nombre de femmes ne peut pas dépasser" in response.content.decode()
    assert not Event.objects.filter(title="Forum").exists()


def test_partner_member_edits_only_the_events_of_their_structure(client, world, cafe):
    ml_event = EventFactory(cite=world.cite, organised_by=world.ml)
    login_as(client, world.partner_member_ft)
    assert client.get(f"/partenariat/evenements/{cafe.pk}/modifier/").status_code == 200
    assert client.get(f"/partenariat/evenements/{ml_event.pk}/modifier/").status_code == 404
    assert (
        client.get(f"/partenariat/evenements/{ml_event.pk}/").status_code == 200
    )  # reading is open to the cité


def test_search_and_add_a_followed_person(client, world, cafe):
    newcomer = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, last_name="Lefèvre")
    login_as(client, world.referent_ft)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/participants/recherche/?q=lefevre").content.decode()
    assert "LEFÈVRE" in body
    partial = client.get(
        f"/partenariat/evenements/{cafe.pk}/participants/recherche/?q=lefevre", headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.strip().startswith('<div id="recherche-resultats"') and "LEFÈVRE" in partial
    response = client.post(f"/partenariat/evenements/{cafe.pk}/participants/", {"beneficiary": newcomer.pk})
    assert response.status_code == 302
    assert Participation.objects.filter(event=cafe, beneficiary=newcomer).exists()


def test_adding_a_person_one_may_not_see_answers_not_found(client, world, cafe):
    stranger = BeneficiaryFactory(cite=world.cite, responsible_structure=world.asso)
    login_as(client, world.referent_ft)
    assert (
        client.post(
            f"/partenariat/evenements/{cafe.pk}/participants/", {"beneficiary": stranger.pk}
        ).status_code
        == 404
    )
    assert not Participation.objects.filter(beneficiary=stranger).exists()


def test_registering_a_known_person_one_may_not_see_reveals_nothing(client, world, people):
    _, karim = people
    event = EventFactory(cite=world.cite, organised_by=world.ft)
    login_as(client, world.referent_ft)
    response = client.post(
        f"/partenariat/evenements/{event.pk}/participants/nouvelle-personne/",
        {
            "last_name": "Benali",
            "first_name": "Karim",
            "birth_date": karim.birth_date.isoformat(),
            "gender": "M",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Cette personne est déjà connue de la cité, sa présence est enregistrée." in body
    main = body.split("<main", 1)[1]
    assert "BENALI" not in main and "Benali" not in main and f"/personnes/{karim.pk}/" not in main
    assert world.ml.name not in main  # not even who follows them
    assert "Et 1 autre participant·e" in main
    assert Beneficiary.objects.filter(last_name="Benali").count() == 1
    assert Participation.objects.filter(event=event, beneficiary=karim).exists()


def test_registering_a_new_person_creates_their_file(client, world, cafe):
    login_as(client, world.coordinator)
    response = client.post(
        f"/partenariat/evenements/{cafe.pk}/participants/nouvelle-personne/",
        {
            "last_name": "Moreau",
            "first_name": "Inès",
            "birth_date": "1999-09-09",
            "gender": "F",
            "qpv": world.qpv.pk,
            "responsible_structure": world.ml.pk,
            "next": "again",
        },
    )
    person = Beneficiary.objects.get(last_name="Moreau")
    assert response["Location"] == f"/partenariat/evenements/{cafe.pk}/participants/nouvelle-personne/"
    assert person.reperage_channel == "outreach_event" and person.responsible_structure == world.ml
    assert Participation.objects.get(beneficiary=person).first_met_here


def test_registration_form_of_a_coordinator_does_not_offer_sensitive_structures(client, world, cafe):
    login_as(client, world.coordinator)
    body = client.get(f"/partenariat/evenements/{cafe.pk}/participants/nouvelle-personne/").content.decode()
    assert world.ml.name in body and world.spip.name not in body


# --- Committees and meetings ------------------------------------------------------------------------------


def test_coordinator_creates_a_committee_adds_members_and_a_meeting(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/partenariat/instances/nouvelle/", {"kind": "cotech", "name": "Cotech emploi", "is_active": "on"}
    )
    committee = world.cite.committees.get(name="Cotech emploi")
    assert response["Location"] == f"/partenariat/instances/{committee.pk}/"
    client.post(
        f"/partenariat/instances/{committee.pk}/membres/",
        {
            "full_name": "Julie Petit",
            "email": "julie@example.org",
            "structure": world.ft.pk,
            "role": "member",
        },
    )
    client.post(
        f"/partenariat/instances/{committee.pk}/membres/",
        {"user": world.referent_ml.user.pk, "role": "member"},
    )
    assert committee.members.count() == 2
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=9, minute=30)
    response = client.post(
        f"/partenariat/instances/{committee.pk}/reunions/nouvelle/",
        {
            "title": "Cotech de rentrée",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Maison de l'emploi",
            "agenda": "Tour de table",
        },
    )
    meeting = committee.meetings.get()
    assert response["Location"] == f"/partenariat/reunions/{meeting.pk}/"
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "09:30"


def test_meeting_edit_records_attendance_and_decisions(client, world):
    committee = CommitteeFactory(cite=world.cite)
    julie = seat(committee, world.ft, full_name="Julie Petit")
    meeting = MeetingFactory(committee=committee, held_last_month=True)
    login_as(client, world.coordinator)
    form = client.get(f"/partenariat/reunions/{meeting.pk}/modifier/").content.decode()
    assert "Présence de Julie Petit" in form
    local = timezone.localtime(meeting.starts_at)
    response = client.post(
        f"/partenariat/reunions/{meeting.pk}/modifier/",
        {
            "title": meeting.title,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(meeting.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "place": meeting.place,
            "agenda": meeting.agenda,
            "minutes": "Échanges nourris.",
            "decisions": "Valider le bilan\nLancer l'AAP",
            f"attendance_{julie.pk}": "present",
            "version": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    body = client.get(f"/partenariat/reunions/{meeting.pk}/").content.decode()
    assert "Lancer l&#x27;AAP" in body and "Présent·e" in body


def test_minutes_pdf_and_calendar_file_for_viewers(client, world):
    meeting = MeetingFactory(committee=CommitteeFactory(cite=world.cite))
    login_as(client, world.commission_member)
    pdf = client.get(f"/partenariat/reunions/{meeting.pk}/compte-rendu.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    calendar = client.get(f"/partenariat/reunions/{meeting.pk}/invitation.ics")
    assert calendar["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT\r\n" in calendar.content


def test_sending_invitations_from_the_meeting_page(client, world, django_capture_on_commit_callbacks):
    committee = CommitteeFactory(cite=world.cite)
    seat(committee, world.ft, full_name="Julie Petit", email="julie@example.org")
    meeting = MeetingFactory(committee=committee)
    login_as(client, world.coordinator)
    assert (
        "1 membre avec une adresse e-mail recevra"
        in client.get(f"/partenariat/reunions/{meeting.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/partenariat/reunions/{meeting.pk}/invitations/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["julie@example.org"]]
    assert mail.outbox[0].attachments[0].get_filename() == "invitation.ics"


def test_steering_reads_committees_but_cannot_manage_them(client, world):
    committee = CommitteeFactory(cite=world.cite)
    login_as(client, world.steering)
    body = client.get(f"/partenariat/instances/{committee.pk}/").content.decode()
    assert committee.name in body and "Ajouter un membre" not in body and "Nouvelle réunion" not in body
    assert client.get(f"/partenariat/instances/{committee.pk}/modifier/").status_code == 403


# --- Roadmap -----------------------------------------------------------------------------------------------


def test_roadmap_page_and_status_change_by_the_piloting_structure(client, world):
    action = RoadmapActionFactory(objective__cite=world.cite, owner=world.ft, title="Permanences à Etouvie")
    login_as(client, world.referent_ft)
    body = client.get("/partenariat/feuille-de-route/").content.decode()
    assert "Permanences à Etouvie" in body and "Changer le statut de « Permanences à Etouvie »" in body
    assert "Nouvel objectif" not in body
    response = client.post(
        f"/partenariat/feuille-de-route/actions/{action.pk}/statut/", {"to_status": "abandoned"}
    )
    assert response.status_code == 200 and "Indiquez le motif" in response.content.decode()
    response = client.post(
        f"/partenariat/feuille-de-route/actions/{action.pk}/statut/", {"to_status": "in_progress"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_coordinator_creates_an_objective_with_an_indicator_and_an_action(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/partenariat/feuille-de-route/objectifs/nouveau/",
        {
            "stake": "cooperation",
            "title": "Une culture commune entre partenaires",
            "owner": world.ft.pk,
            "position": "1",
            "indicateurs-TOTAL_FORMS": "1",
            "indicateurs-INITIAL_FORMS": "0",
            "indicateurs-MIN_NUM_FORMS": "0",
            "indicateurs-MAX_NUM_FORMS": "1000",
            "indicateurs-0-label": "Partenaires formés",
            "indicateurs-0-target": "30",
            "indicateurs-0-unit": "personnes",
        },
    )
    objective = world.cite.roadmap_objectives.get()
    assert response.status_code == 302
    assert objective.indicators.get().label == "Partenaires formés"
    response = client.post(
        f"/partenariat/feuille-de-route/objectifs/{objective.pk}/actions/nouvelle/",
        {"objective": objective.pk, "title": "Immersions croisées", "owner": world.ml.pk},
    )
    assert response.status_code == 302 and objective.actions.get().title == "Immersions croisées"


# --- Employers ----------------------------------------------------------------------------------------------


def test_employers_list_filters_and_detail(client, world):
    carrefour = EmployerFactory(cite=world.cite, name="Hypermarché du Nord")
    offers(carrefour, "immersion", details="Mise en rayon")
    EmployerFactory(cite=world.cite, name="Garage Central")
    login_as(client, world.partner_member_ft)
    body = client.get("/partenariat/entreprises/?offer=immersion").content.decode()
    assert "Hypermarché du Nord" in body and "Garage Central" not in body
    detail = client.get(f"/partenariat/entreprises/{carrefour.pk}/").content.decode()
    assert "Mise en rayon" in detail and "Ajouter un contact" not in detail


def test_referent_records_an_employer_with_engagements_contacts_and_offers(client, world):
    login_as(client, world.referent_ml)
    response = client.post(
        "/partenariat/entreprises/nouvelle/",
        {"name": "Logistique Somme", "size": "medium", "engagements": ["paqte", "club"], "siret": ""},
    )
    employer = world.cite.employers.get(name="Logistique Somme")
    assert response.status_code == 302
    assert sorted(employer.engagements.values_list("frame", flat=True)) == ["club", "paqte"]
    client.post(f"/partenariat/entreprises/{employer.pk}/contacts/", {"contact-full_name": "Nadia Haddad"})
    client.post(
        f"/partenariat/entreprises/{employer.pk}/propositions/",
        {"offre-kind": "recruitment_session", "offre-places": "12"},
    )
    assert employer.contacts.get().full_name == "Nadia Haddad"
    assert employer.offers.get().places == 12
    bad = client.post("/partenariat/entreprises/nouvelle/", {"name": "logistique somme", "size": "small"})
    assert "Une entreprise porte déjà ce nom" in bad.content.decode()
