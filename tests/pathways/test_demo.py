from datetime import date, timedelta

import pytest
from django.db import transaction

from citemploi.demo import builder
from citemploi.pathways import demo_data
from citemploi.pathways.models import BarrierRecord, HandOver, Objective, PlanAction
from citemploi.people.models import Beneficiary


@pytest.fixture
def demo(db, monkeypatch):
    # only this domain's module, so that the test does not depend on the others'
    monkeypatch.setattr(builder, "demo_modules", lambda: [demo_data])
    return builder.build_amiens(seed=2023, people=60, today=date.today() - timedelta(days=3))


def test_the_demo_has_diagnostics_plans_and_hand_overs(demo):
    extra = demo.extra
    assert extra["Freins identifiés (diagnostics)"] == BarrierRecord.objects.count() > 20
    assert extra["Objectifs de plan d'action"] == Objective.objects.count() > 5
    assert extra["Actions de plan d'action"] == PlanAction.objects.count()
    assert extra["Passages de relais"] == HandOver.objects.count() == 2
    people = Beneficiary.objects.count()
    with_barrier = Beneficiary.objects.filter(barrier_records__isnull=False).distinct().count()
    assert 0.4 * people <= with_barrier <= 0.85 * people
    states = set(BarrierRecord.objects.values_list("state", flat=True))
    assert {"identified", "action_engaged"} <= states
    # sensitive barriers were written by each person's responsible référent only
    for record in BarrierRecord.objects.filter(sensitive=True).select_related("beneficiary"):
        assert record.identified_by_structure_id == record.beneficiary.responsible_structure_id or (
            HandOver.objects.filter(beneficiary=record.beneficiary).exists()
        )
    for h in HandOver.objects.select_related("beneficiary"):
        assert h.beneficiary.responsible_structure_id == h.to_structure_id
        assert h.beneficiary.followup_members.filter(
            structure=h.from_structure, ended_at__isnull=True
        ).exists()


def test_the_demo_is_deterministic(db, monkeypatch):
    monkeypatch.setattr(builder, "demo_modules", lambda: [demo_data])

    def build() -> list:
        with transaction.atomic():
            builder.build_amiens(seed=7, people=30, today=date(2025, 3, 10))
            rows = list(
                BarrierRecord.objects.order_by("beneficiary__last_name", "barrier").values_list(
                    "beneficiary__last_name", "barrier", "state", "identified_on", "severity"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = build()
    assert first and first == build()
