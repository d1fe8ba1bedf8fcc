"""Quarterly questionnaire screens: open pre-filled, adjust with a comment, validate, export; the demo."""

import json
from datetime import date

import pytest
from django.urls import reverse

from citemploi.people.enums import ReperageChannel
from citemploi.reporting.models import QuarterlyReport
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def test_coordinator_opens_adjusts_and_validates(client, world):
    for _ in range(2):
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=date(2026, 4, 2),
            reperage_channel=ReperageChannel.DOOR_TO_DOOR,
        )
    login_as(client, world.coordinator)
    response = client.post(reverse("reporting:questionnaires"), {"annee": 2026, "trimestre": 2})
    report = QuarterlyReport.objects.get(cite=world.cite, year=2026, quarter=2)
    assert response.url == reverse("reporting:questionnaire", args=[report.pk])
    key = "people.identified:door_to_door"
    # 2 people door to door in the 2nd quarter
    assert report.values[key]["computed"] == 2
    adjust = reverse("reporting:questionnaire_adjust", args=[report.pk])
    client.post(adjust, {"key": key, "value": "3", "comment": "", "version": report.version})
    report.refresh_from_db()
    assert report.values[key]["value"] == 2  # refused: no comment
    client.post(
        adjust, {"key": key, "value": "3", "comment": "Une fiche saisie en retard", "version": report.version}
    )
    report.refresh_from_db()
    assert (report.values[key]["value"], report.version) == (3, 2)
    page = client.get(reverse("reporting:questionnaire", args=[report.pk])).content.decode()
    assert "Une fiche saisie en retard" in page
    client.post(reverse("reporting:questionnaire_validate", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.state == "validated"
    assert report.validated_by == world.coordinator.user
    exported = client.get(reverse("reporting:questionnaire_export", args=[report.pk, "json"]))
    document = json.loads(exported.content)
    assert next(i for i in document["items"] if i["key"] == key)["value"] == 3
    assert client.get(reverse("reporting:questionnaire_export", args=[report.pk, "xlsx"])).status_code == 200


def test_steering_reads_but_cannot_change(client, world):
    login_as(client, world.coordinator)
    client.post(reverse("reporting:questionnaires"), {"annee": 2026, "trimestre": 1})
    report = QuarterlyReport.objects.get()
    login_as(client, world.steering)
    page = client.get(reverse("reporting:questionnaire", args=[report.pk])).content.decode()
    assert "Valider le questionnaire" not in page
    response = client.post(reverse("reporting:questionnaire_validate", args=[report.pk]), {"version": 1})
    assert response.status_code == 403
    assert QuarterlyReport.objects.get().state == "draft"


def test_the_demo_prefills_last_quarter(world):
    from types import SimpleNamespace

    from citemploi.reporting.demo_data import build_demo
    from tests.factories import ctx_for

    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, identified_on=date(2026, 2, 3))
    demo_world = SimpleNamespace(coordinator_ctx=ctx_for(world.coordinator), today=date(2026, 5, 10))
    counts = build_demo(demo_world)
    report = QuarterlyReport.objects.get(cite=world.cite, year=2026, quarter=1)
    assert report.state == "draft"
    assert counts["valeurs pré-remplies"] == len(report.values)
    assert report.values["people.identified:other"]["computed"] == 1
    # run twice (the demo command may be run again): the same questionnaire
    build_demo(demo_world)
    assert QuarterlyReport.objects.count() == 1
