import random
from datetime import date

from citemploi.people.queries import beneficiaries_for
from citemploi.people.risks import risks_for
from citemploi.tracking.demo_data import build_demo
from citemploi.tracking.models import FollowUpCheck, JournalEntry
from tests.factories import ctx_for
from tests.tracking.helpers import person_of


class _World:
    def __init__(self, world, seed):
        self.cite = world.cite
        self.coordinator_ctx = ctx_for(world.coordinator, via="cli")
        self.structures = {"ft": world.ft, "ml": world.ml}
        self.memberships = {"referent_ft": [world.referent_ft], "referent_ml": [world.referent_ml]}
        self.referents = {"ft": [world.referent_ft], "ml": [world.referent_ml]}
        self.qpvs = {world.qpv.code: world.qpv}
        self.today = date.today()
        self.rng = random.Random(seed)


def test_demo_data_gives_journals_risks_and_due_checks(world):
    for n in range(40):
        person_of(world, last_name=f"Demo{n}")
    counts = build_demo(_World(world, 7))
    assert counts["entrées de journal"] == JournalEntry.objects.count() > 40
    assert counts["sorties"] > 0
    assert (
        counts["points de suivi à faire"]
        == FollowUpCheck.objects.filter(recorded_on__isnull=True, due_on__lte=date.today()).count()
        > 0
    )
    ctx = ctx_for(world.referent_ft)
    found = risks_for(ctx, beneficiaries_for(ctx))
    codes = {signal.code for signals in found.values() for signal, _ in signals}
    assert {"tracking.no_contact", "tracking.check_due"} <= codes


def test_demo_data_is_deterministic(world):
    people = [person_of(world, last_name=f"Demo{n}") for n in range(15)]
    first = build_demo(_World(world, 3))
    texts = list(
        JournalEntry.objects.order_by("beneficiary_id", "occurred_on", "kind").values_list(
            "beneficiary_id", "occurred_on", "kind"
        )
    )
    JournalEntry.objects.all().delete()
    FollowUpCheck.objects.all().delete()
    for p in people:
        p.outcomes.all().delete()
    assert build_demo(_World(world, 3)) == first
    again = list(
        JournalEntry.objects.order_by("beneficiary_id", "occurred_on", "kind").values_list(
            "beneficiary_id", "occurred_on", "kind"
        )
    )
    assert again == texts
