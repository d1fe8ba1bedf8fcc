import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from citemploi.core.models import AuditEvent, AuditSubject
from citemploi.people.models import Beneficiary
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, in_followup_group, with_sharing_consent

pytestmark = pytest.mark.django_db

FORM = {
    "last_name": "Martin",
    "first_name": "Léa",
    "birth_date": "1999-02-03",
    "gender": "F",
    "qpv_evidence_method": "declared",
    "education_level": "4",
    "employment_status": "unemployed",
    "children_count": "0",
    "french_level": "native",
    "digital_autonomy": "autonomous",
    "reperage_channel": "forum",
    "identified_on": "2026-10-01",
}


def test_create_then_duplicate_is_proposed(client, world):
    login_as(client, world.referent_ft)
    response = client.post("/personnes/nouvelle/", FORM)
    person = Beneficiary.objects.get(last_name="Martin")
    assert response.status_code == 302 and response["Location"] == f"/personnes/{person.pk}/"
    again = client.post("/personnes/nouvelle/", FORM | {"first_name": "LEA", "last_name": "martin"})
    assert again.status_code == 200
    assert "Cette personne a déjà une fiche dans la cité" in again.content.decode()
    assert f"/personnes/{person.pk}/" in again.content.decode()
    assert Beneficiary.objects.filter(last_name__iexact="martin").count() == 1


def test_duplicate_followed_elsewhere_is_not_revealed(client, world):
    login_as(client, world.referent_ft)
    client.post("/personnes/nouvelle/", FORM)
    person = Beneficiary.objects.get(last_name="Martin")
    login_as(client, world.referent_ml)
    again = client.post("/personnes/nouvelle/", FORM)
    body = again.content.decode()
    assert "suivie par une autre structure" in body and f"/personnes/{person.pk}/" not in body
    confirmed = client.post("/personnes/nouvelle/", FORM | {"confirm_homonym": "1"})
    assert confirmed.status_code == 302
    assert Beneficiary.objects.filter(last_name="Martin").count() == 2


def test_invalid_form_keeps_what_was_typed(client, world):
    login_as(client, world.referent_ft)
    response = client.post("/personnes/nouvelle/", FORM | {"birth_date": "pas une date"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Martin"' in body and "fr-input--error" in body
    assert not Beneficiary.objects.exists()


def test_concurrent_edit_is_refused_with_a_message(client, world):
    person = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Léa",
        last_name="Martin",
        birth_date=date(1999, 2, 3),
    )
    login_as(client, world.referent_ft)
    data = FORM | {"version": "1", "phone": "0639980011"}
    assert client.post(f"/personnes/{person.pk}/modifier/", data).status_code == 302
    stale = client.post(f"/personnes/{person.pk}/modifier/", FORM | {"version": "1", "phone": "0639980022"})
    assert stale.status_code == 200
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in stale.content.decode()
    person.refresh_from_db()
    assert person.phone == "0639980011"


def test_consent_and_followup_group_screens(client, world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    login_as(client, world.referent_ft)
    client.post(
        f"/personnes/{person.pk}/consentements/",
        {"scope": "sharing", "method": "written", "given_on": date.today().isoformat()},
    )
    client.post(f"/personnes/{person.pk}/groupe-de-suivi/", {"structure": world.ml.pk, "role": "Atelier CV"})
    login_as(client, world.referent_ml)
    assert client.get(f"/personnes/{person.pk}/").status_code == 200
    login_as(client, world.referent_ft)
    consent = person.consents.get()
    client.post(f"/personnes/{person.pk}/consentements/{consent.pk}/retrait/")
    login_as(client, world.referent_ml)
    assert client.get(f"/personnes/{person.pk}/").status_code == 404


def test_list_shows_only_visible_people_and_audits_them(client, world):
    mine = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, last_name="Visible")
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml, last_name="Cachée")
    login_as(client, world.referent_ft)
    body = client.get("/personnes/").content.decode()
    assert "VISIBLE" in body and "CACHÉE" not in body
    event = AuditEvent.objects.get(code="beneficiary.list")
    assert list(AuditSubject.objects.filter(event=event).values_list("beneficiary_id", flat=True)) == [
        mine.pk
    ]


def test_list_filters_and_search_ignore_accents(client, world):
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, last_name="Lefèvre", first_name="Zoé")
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, last_name="Durand", first_name="Paul")
    login_as(client, world.coordinator)
    body = client.get("/personnes/?q=lefevre").content.decode()
    assert "LEFÈVRE" in body and "DURAND" not in body


def test_htmx_partial_equals_the_full_page_fragment(client, world):
    for i in range(3):
        BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, last_name=f"Nom{i}")
    login_as(client, world.coordinator)
    full = client.get("/personnes/?q=nom").content.decode()
    partial = client.get("/personnes/?q=nom", headers={"HX-Request": "true"}).content.decode().strip()
    assert partial.startswith('<div id="resultats">')
    assert partial in full


def test_list_query_count_is_pinned(client, world):
    for _ in range(30):
        BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    login_as(client, world.coordinator)
    client.get("/personnes/")  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/personnes/").status_code == 200
    # session + user + membership + filter forms + count + page + audit event + audit subjects + nav
    assert len(ctx.captured_queries) <= 12, [q["sql"] for q in ctx.captured_queries]


def test_detail_query_count_is_pinned(client, world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    login_as(client, world.referent_ft)
    client.get(f"/personnes/{person.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/personnes/{person.pk}/").status_code == 200
    # session, user, membership, the person, the audit event; no access check beyond the person's read: the
    # other actions' scopes (responsible structure, référent) are answered from the person's fields
    # (people.queries.remember_access); sensitive info, follow-up group, consents, attended events, the
    # follow-up form's structures; the panels of the other domains (pathways 2, tracking 2, orientations 1,
    # cohorts 1; each domain pins its panel's cost and checks that it does not grow with the data). 29 when
    # every action was checked by its own query, 18 with one check per scope.
    assert len(ctx.captured_queries) == 16, [q["sql"] for q in ctx.captured_queries]


def test_export_neutralises_formulas_and_hides_sensitive_data(client, world):
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        last_name='=HYPERLINK("x")',
        first_name="+33",
        email="@evil.example.org",
    )
    login_as(client, world.coordinator)
    csv_body = client.get("/personnes/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body and "'+33" in csv_body and "'@evil" in csv_body
    response = client.get("/personnes/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[2]]
    assert '\'=HYPERLINK("x")' in values
    header = [c.value for c in sheet[1]]
    assert not any("RQTH" in str(h) for h in header)
    assert AuditEvent.objects.filter(code="beneficiary.export").exists()


def test_right_of_access_lists_who_read_the_file(client, world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    login_as(client, world.coordinator)
    client.get(f"/personnes/{person.pk}/")
    client.get("/personnes/")
    login_as(client, world.referent_ft)
    data = json.loads(client.get(f"/personnes/{person.pk}/droit-d-acces.json").content)
    actions = [(e["who"], e["action"]) for e in data["access_log"]]
    coordinator = str(world.coordinator.user)
    assert (coordinator, "beneficiary.read") in actions and (coordinator, "beneficiary.list") in actions
    assert data["person"]["last_name"] == person.last_name
    xlsx = client.get(f"/personnes/{person.pk}/droit-d-acces.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[-1] == "Accès à la fiche"


def test_sensitive_screen_only_for_responsible_referent(client, world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    login_as(client, world.referent_ft)
    client.post(f"/personnes/{person.pk}/sensible/", {"rqth": "on"})
    assert "RQTH" in client.get(f"/personnes/{person.pk}/").content.decode()
    login_as(client, world.coordinator)
    assert "RQTH" not in client.get(f"/personnes/{person.pk}/").content.decode()
    assert client.get(f"/personnes/{person.pk}/sensible/").status_code == 403
