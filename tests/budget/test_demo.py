from datetime import date
from decimal import Decimal

import pytest

from citemploi.budget import demo_data, queries
from citemploi.budget.models import Budget
from citemploi.demo import builder


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setattr(builder, "demo_modules", lambda: [demo_data])
    return builder.build_amiens(seed=2023, people=10, today=date(2025, 7, 15))


def test_the_demo_budget_of_the_year(demo):
    budget = Budget.objects.get(year=2025)
    summary = queries.summary(budget)
    assert summary.resources == Decimal("142000")
    lines = {line.category: line for line in summary.lines}
    assert lines["animation"].planned == Decimal("30000")
    assert lines["animation"].committed == Decimal("25500")
    # Two quarterly payments of the post (March, June) and half of the forum by 15 July.
    assert lines["animation"].paid == Decimal("10500") + Decimal("2250")
    assert lines["coordination"].paid == Decimal("19000")
    assert demo.extra["Versements saisis au budget"] == 2 + 1 + 2 + 1
