"""The cité dashboard shows the orientations (counts and delays) and the outcomes and retention."""

import pytest
from django.urls import reverse

from tests.conftest import login_as
from tests.reporting.test_screens import T1, _activity

pytestmark = pytest.mark.django_db


def _section(html, key):
    return html.split(f'<h2 id="{key}">', 1)[1].split("<h2 ", 1)[0]


def test_dashboard_shows_orientations_delays_and_retention(client, world):
    # 3 people: each orientation sent on 10 February, answered 2 days and started 9 days later;
    # each 3-month check due on 15 March, recorded, still in job
    _activity(world, 3)
    login_as(client, world.coordinator)
    html = client.get(reverse("reporting:home"), {"periode": T1}).content.decode()
    orientations = _section(html, "orientations")
    assert "Orientations envoyées et leurs suites" in orientations
    assert "<svg" in orientations and "<table>" in orientations
    # time to answer: 2, 2, 2 → median 2 days, 90th percentile 2 days; time to start 9 days
    assert "Délai de réponse — médiane" in orientations
    assert ">2 j<" in orientations
    assert "9 j" in orientations
    outcomes = _section(html, "sorties")
    # 3 checks recorded at 3 months, 3 still in job → 100 %
    assert "Maintien en emploi ou en formation à 3, 6 et 12 mois" in outcomes
    assert "100 %" in outcomes
