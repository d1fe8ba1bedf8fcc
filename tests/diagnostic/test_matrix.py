from django.utils import timezone

from citemploi.diagnostic import queries
from citemploi.secrecy.models import SuppressionLog
from tests.diagnostic.helpers import small_data_set
from tests.factories import ctx_for


def rows_by_code(matrix):
    return {row.barrier.code: row for row in matrix.rows}


def test_matrix_counts_for_the_coordinator(world):
    small_data_set(world)
    matrix = queries.matrix(ctx_for(world.coordinator), world.qpv, timezone.localdate())
    assert len(matrix.rows) == 11
    rows = rows_by_code(matrix)
    steps = [code for code, _ in matrix.steps]
    assert rows["mobilite"].demand == 2
    assert rows["mobilite"].supply == 1
    assert rows["mobilite"].supply_by_step[steps.index("levee_freins")] == 1
    assert not rows["mobilite"].uncovered
    assert rows["numerique"].demand == 1
    assert rows["numerique"].supply == 0
    assert rows["numerique"].empty_searches == 3
    assert rows["numerique"].uncovered
    assert rows["langue-francaise"].demand == 0
    assert rows["langue-francaise"].supply_by_step[steps.index("formation")] == 1
    assert rows["langue-francaise"].empty_searches == 2
    assert not rows["langue-francaise"].uncovered
    assert matrix.demand_total == 3
    assert not matrix.protected
    assert [r.barrier.code for r in matrix.uncovered] == ["numerique"]


def test_steering_reads_the_demand_through_secrecy(world):
    small_data_set(world)
    matrix = queries.matrix(ctx_for(world.steering), world.qpv, timezone.localdate())
    rows = rows_by_code(matrix)
    assert matrix.protected and matrix.threshold == 11
    assert rows["mobilite"].demand is None
    assert rows["numerique"].demand is None
    assert rows["logement"].demand == 0
    assert matrix.demand_total is None
    # Supply and searches are not about people: shown as they are.
    assert rows["mobilite"].supply == 1
    assert SuppressionLog.objects.filter(audience="steering", cite=world.cite).count() == 3


def test_the_national_animator_reads_every_cite_protected(world):
    small_data_set(world)
    matrix = queries.matrix(ctx_for(world.national), world.qpv, timezone.localdate())
    assert matrix.protected
    assert rows_by_code(matrix)["mobilite"].demand is None
    assert SuppressionLog.objects.filter(audience="national").exists()


def test_uncovered_ratio():
    assert queries.is_uncovered(1, 0)
    assert not queries.is_uncovered(0, 0)
    assert not queries.is_uncovered(10, 1)
    assert queries.is_uncovered(11, 1)
    assert not queries.is_uncovered(20, 2)
