from datetime import date

import pytest

from citemploi.demo import builder
from citemploi.diagnostic import demo_data
from citemploi.diagnostic.models import QPVReference


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setattr(builder, "demo_modules", lambda: [demo_data])
    return builder.build_amiens(seed=2023, people=10, today=date(2025, 7, 15))


def test_the_demo_references_are_marked_fictitious(demo):
    references = list(QPVReference.objects.all())
    assert references
    assert demo.extra["Indicateurs de référence de QPV (fictifs)"] == len(references)
    for reference in references:
        assert reference.year == 2024
        assert "fictifs" in reference.source
        assert 0 <= reference.poverty_rate <= 100
        assert reference.job_seekers < reference.population
