"""The report for the steering committee (Copil): a PDF of the period's key indicators, protected for the
steering audience, with its charts and data tables; downloaded by the coordination and steering members only,
and audited."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from citemploi.budget import services as budget_services
from citemploi.core.models import AuditEvent
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import ReperageChannel
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import Outcome
from tests.budget.test_budget import make_budget
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, ctx_for

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def scene(world):
    """T1 2026: 20 people identified through associations, 14 at a forum and 3 on a partner's list;
    12 orientations sent (all answered in 2 days), 3 people with a job; a 2026 budget with a 35,000 € post."""
    people = [
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=date(2026, 2, 1),
            reperage_channel=ReperageChannel.FORUM,
        )
        for _ in range(14)
    ]
    for channel, n in ((ReperageChannel.PARTNER_LIST, 3), (ReperageChannel.ASSOCIATION, 20)):
        for _ in range(n):
            BeneficiaryFactory(
                cite=world.cite,
                responsible_structure=world.ft,
                identified_on=date(2026, 2, 1),
                reperage_channel=channel,
            )
    sent = datetime(2026, 2, 10, 10, tzinfo=PARIS)
    for person in people[:12]:
        Orientation.objects.create(
            cite=world.cite,
            beneficiary=person,
            service_name="Service",
            receiving_structure=world.ml,
            message="motif",
            sent_at=sent,
            deadline=sent + timedelta(days=10),
            status=Status.ACCEPTED,
            answered_at=sent + timedelta(days=2),
        )
    for person in people[:3]:
        Outcome.objects.create(
            beneficiary=person,
            type=OutcomeType.SUSTAINABLE_JOB,
            outcome_on=date(2026, 3, 1),
            recorded_by=world.coordinator.user,
        )
    budget = make_budget(world, 2026)
    budget_services.add_commitment(
        ctx_for(world.coordinator),
        budget=budget,
        label="Poste de coordinatrice",
        category="coordination",
        amount=Decimal(35000),
    )


def _text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # pypdf keeps the narrow no-break space of French thousands; compare on plain spaces
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u202f", " ")


def test_the_report_gives_the_period_the_figures_and_hides_small_counts(client, world, scene):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:copil_report"), {"periode": "2026-T1"})
    assert 'filename="rapport-copil-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('-2026-T1.pdf"')
    text = _text(response)
    assert "Rapport pour le comité de pilotage" in text
    assert world.cite.name in text
    assert "1er trimestre 2026" in text
    assert "du 01/01/2026 au 31/03/2026" in text
    assert "Généré le" in text
    # 3 people on a partner's list: secret for the steering committee, although the coordinator downloads
    # the report (it leaves the coordination); the forum's 14, the next smallest, hidden with it so that the
    # 3 cannot be recomputed from the total (37); the associations' 20 shown
    assert "Liste d'un partenaire secret" in text
    assert "Forum secret" in text
    assert "Association 20" in text
    assert "Total 37" in text
    # 12 orientations sent, answered in 2 days
    assert "Orientations envoyées et leurs suites" in text
    assert "Envoyées 12" in text
    # 3 people with a sustainable job: secret
    assert "Emploi durable (CDI, CDD de 6 mois ou plus) secret" in text
    for title in ("Entonnoir des cohortes", "Freins identifiés", "Freins levés", "Maintien en emploi"):
        assert title in text
    for title in ("Actions et événements réalisés", "Dossiers de candidature", "Budget 2026"):
        assert title in text
    # the budget: amounts are not protected
    assert "Coordination de parcours : engagé 35 000 €" in text
    assert "35 000,00 €" in text


def test_steering_downloads_the_same_protected_report_and_the_download_is_audited(client, world, scene):
    login_as(client, world.steering)
    dashboard = client.get(reverse("reporting:home"), {"periode": "2026-T1"})
    assert 'href="/indicateurs/rapport-copil.pdf?periode=2026-T1"' in dashboard.content.decode()
    text = _text(client.get(reverse("reporting:copil_report"), {"periode": "2026-T1"}))
    assert "Association 20" in text and "Liste d'un partenaire secret" in text
    event = AuditEvent.objects.get(code="copil_report.download")
    assert event.cite_id == world.cite.pk
    assert event.actor == world.steering.user
    assert event.changes["period"] == "2026-T1"


def test_custom_period_and_bad_period(client, world, scene):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:copil_report"), {"debut": "2026-02-01", "fin": "2026-02-28"})
    assert response["Content-Disposition"].endswith('-2026-02-01_2026-02-28.pdf"')
    assert "du 01/02/2026 au 28/02/2026" in _text(response)
    bad = client.get(reverse("reporting:copil_report"), {"debut": "2026-03-01", "fin": "2026-01-01"})
    assert bad.status_code == 302
    assert not AuditEvent.objects.filter(code="copil_report.download", changes__start="2026-03-01").exists()


def test_only_the_coordination_and_steering_may_download(client, world):
    for persona in (world.referent_ft, world.holder, world.national):
        login_as(client, persona)
        assert client.get(reverse("reporting:copil_report")).status_code == 403
    assert not AuditEvent.objects.filter(code="copil_report.download").exists()
