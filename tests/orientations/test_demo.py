"""The demo orientations: one in every state, between demo structures, to services of the demo directory."""

from datetime import date, timedelta

from citemploi.demo.builder import build_amiens
from citemploi.orientations.models import Orientation

TODAY = date.today() - timedelta(days=3)


def test_the_demo_orientations(db):
    summary = build_amiens(seed=5, people=40, today=TODAY)
    assert summary.extra["orientations"] == 10
    orientations = list(
        Orientation.objects.select_related("service", "sender_structure", "receiving_structure")
    )
    assert {o.status for o in orientations} == {
        "sent", "accepted", "refused", "expired", "withdrawn", "started", "completed", "abandoned"
    }  # fmt: skip
    for o in orientations:
        assert o.service.structure_id == o.receiving_structure_id != o.sender_structure_id
        assert not o.receiving_structure.sensitive
        assert [t.target for t in o.transitions.all()][-1] == o.status
        assert o.snapshot["rows"][0]["label"] == "Nom"
