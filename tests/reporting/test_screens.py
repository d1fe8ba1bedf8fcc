"""Indicator screens: cité dashboard (exact for the coordination, protected for steering), QPV and partner
pages, national page, exports, pinned query counts."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from citemploi.people.enums import ReperageChannel
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

T1 = "2026-T1"


def _people(world, n, *, channel=ReperageChannel.FORUM, on=date(2026, 2, 1), cite=None):
    for _ in range(n):
        BeneficiaryFactory(
            cite=cite or world.cite,
            responsible_structure=world.ft if cite is None else world.other_referent.structure,
            identified_on=on,
            reperage_channel=channel,
            qpv=world.qpv if cite is None else None,
        )


def _activity(world, n):
    """n people of the cité with an orientation, an outcome and a recorded 3-month check in T1."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from citemploi.orientations.enums import Status
    from citemploi.orientations.models import Orientation
    from citemploi.tracking.enums import OutcomeType
    from citemploi.tracking.models import FollowUpCheck, Outcome

    sent = datetime(2026, 2, 10, 10, tzinfo=ZoneInfo("Europe/Paris"))
    for _ in range(n):
        person = BeneficiaryFactory(
            cite=world.cite, responsible_structure=world.ft, identified_on=date(2026, 2, 1)
        )
        Orientation.objects.create(
            cite=world.cite,
            beneficiary=person,
            service_name="Service",
            receiving_structure=world.ml,
            message="motif",
            sent_at=sent,
            deadline=sent + timedelta(days=10),
            status=Status.STARTED,
            answered_at=sent + timedelta(days=2),
            started_at=sent + timedelta(days=9),
        )
        outcome = Outcome.objects.create(
            beneficiary=person,
            type=OutcomeType.SUSTAINABLE_JOB,
            outcome_on=date(2025, 12, 15),
            recorded_by=world.coordinator.user,
        )
        FollowUpCheck.objects.create(
            outcome=outcome,
            months=3,
            due_on=date(2026, 3, 15),
            recorded_on=date(2026, 3, 16),
            still_in_job_or_training=True,
        )


def test_coordinator_sees_exact_figures_and_links_to_the_list(client, world):
    _people(world, 3)
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:home"), {"periode": T1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1er trimestre 2026" in html
    assert 'title="Voir la liste : Forum">3</a>' in html
    assert "channel=forum" in html
    # SVG lengths are written with a dot whatever the language of the page
    assert 'width="45.0%"' in html
    assert "secret" not in html.split('id="indicateurs"')[1].split("Repérage", 1)[0]


def test_period_switch_changes_the_figures(client, world):
    _people(world, 2, on=date(2026, 2, 1))
    _people(world, 5, on=date(2026, 5, 1))
    login_as(client, world.coordinator)
    t1 = client.get(reverse("reporting:home"), {"periode": T1}).context["sections"]
    t2 = client.get(reverse("reporting:home"), {"periode": "2026-T2"}).context["sections"]
    assert t1[0].blocks[0].shown.total == 2
    assert t2[0].blocks[0].shown.total == 5
    custom = client.get(reverse("reporting:home"), {"debut": "2026-01-15", "fin": "2026-06-30"})
    assert custom.context["sections"][0].blocks[0].shown.total == 7


def test_bad_custom_period_is_explained(client, world):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:home"), {"debut": "2026-05-01", "fin": "2026-01-01"})
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    response = client.get(reverse("reporting:home"), {"debut": "2026-05-01"})
    assert "Indiquez les deux dates" in response.content.decode()


def test_htmx_partial_equals_the_full_page_region(client, world):
    _people(world, 2)
    login_as(client, world.coordinator)
    url = reverse("reporting:home")
    full = client.get(url, {"periode": T1}).content.decode()
    partial = client.get(url, {"periode": T1}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="indicateurs">')
    region = full[full.index('<div id="indicateurs">') :]
    assert partial.strip() in region


def test_steering_sees_small_counts_as_secret_and_no_list_link(client, world):
    _people(world, 3)
    login_as(client, world.steering)
    response = client.get(reverse("reporting:home"), {"periode": T1})
    assert response.status_code == 200
    block = response.context["sections"][0].blocks[0]
    assert block.shown.protected
    assert block.shown.cells[("forum", "all")] is None
    assert "channel=forum" not in response.content.decode()


def test_national_is_sent_to_the_national_page_which_protects_counts(client, world):
    _people(world, 4)
    _people(world, 30, cite=world.other_cite)
    login_as(client, world.national)
    assert client.get(reverse("reporting:home")).url == reverse("reporting:national")
    response = client.get(reverse("reporting:national"), {"periode": T1, "ventilation": "cite"})
    block = response.context["sections"][0].blocks[0]
    assert block.shown.protected
    # Amiens: 4 people (under the threshold of 11) is secret; Le Mans 30 is shown... unless its value
    # would let the hidden one be recomputed from the total: the total is hidden too.
    assert block.shown.cells[("forum", str(world.cite.pk))] is None
    assert block.shown.total is None or block.shown.column_totals[str(world.other_cite.pk)] is None
    assert "Amiens" not in response.content.decode() or "secret" in response.content.decode()


def test_qpv_and_structure_pages(client, world):
    _people(world, 2)
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ml, identified_on=date(2026, 2, 1))
    login_as(client, world.coordinator)
    qpv = client.get(reverse("reporting:qpv", args=[world.qpv.code]), {"periode": T1})
    assert qpv.context["sections"][0].blocks[0].shown.total == 2
    ml = client.get(reverse("reporting:structure", args=[world.ml.pk]), {"periode": T1})
    assert ml.context["sections"][0].blocks[0].shown.total == 1
    # A sensitive structure has no page; another cité's QPV neither.
    assert client.get(reverse("reporting:structure", args=[world.spip.pk])).status_code == 404
    assert client.get(reverse("reporting:qpv", args=["QN99999M"])).status_code == 404


def test_exports_of_every_table(client, world):
    _people(world, 3)
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:export", args=["csv"]), {"periode": T1, "ventilation": "qpv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Code", "Indicateur", "Unité", "Catégorie", "Ventilation", "Valeur"]
    assert ["people.identified", "Personnes repérées", "personnes", "Forum", "Amiens Nord", "3"] in rows
    response = client.get(reverse("reporting:export", args=["xlsx"]), {"periode": T1})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Personnes repérées"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Forum", 3] in values
    assert ["Total", 3] in values
    assert client.get(reverse("reporting:export", args=["pdf"])).status_code == 404
    scoped = client.get(
        reverse("reporting:export", args=["csv"]), {"periode": T1, "structure_id": world.ml.pk}
    )
    assert "people.identified;Personnes repérées;personnes;Forum;Total;0" in scoped.content.decode(
        "utf-8-sig"
    )


def test_referent_and_holder_have_no_dashboard(client, world):
    for persona in (world.referent_ft, world.holder):
        login_as(client, persona)
        assert client.get(reverse("reporting:home")).status_code == 403


@pytest.mark.parametrize("name", ["reporting:home", "reporting:national"])
def test_query_count_does_not_grow_with_people(client, world, name):
    persona = world.coordinator if name == "reporting:home" else world.national
    login_as(client, persona)
    url = reverse(name)
    client.get(url, {"periode": T1})  # warm the session and caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"periode": T1}).status_code == 200
        return len(queries)

    # 12 people with an orientation and a check: above the secrecy threshold (11) from the start, so that
    # the national page logs the same suppressions before and after (only the number of people changes)
    _activity(world, 12)
    few = count()
    _people(world, 25)
    _people(world, 25, cite=world.other_cite)
    _activity(world, 25)
    assert count() == few


def test_dashboard_query_count_is_pinned(client, world, django_assert_num_queries):
    """Session, context and navigation, then one or two GROUP BY per indicator (measured: 45), and the
    budget block: the year's budget, its cofundings, commitments, payments, grants and grants' payments (6)."""
    from decimal import Decimal

    from citemploi.budget import services as budget_services
    from tests.budget.test_budget import grant, make_budget
    from tests.calls.factories import CallFactory
    from tests.factories import ctx_for

    _people(world, 5)
    _activity(world, 3)
    budget = make_budget(world, 2026)
    budget_services.add_commitment(
        ctx_for(world.coordinator), budget=budget, label="Poste", category="coordination", amount=Decimal(10)
    )
    grant(world, CallFactory(cite=world.cite, year=2026), "100")
    login_as(client, world.coordinator)
    client.get(reverse("reporting:home"), {"periode": T1})
    with django_assert_num_queries(51):
        client.get(reverse("reporting:home"), {"periode": T1})
