import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent
from citemploi.secrecy import protect_rate, protect_table, threshold_for
from citemploi.secrecy.models import SecrecySettings, SuppressionLog
from citemploi.secrecy.services import set_threshold, thresholds_of_cite


def ctx(membership):
    return ActingContext(user=membership.user, membership=membership)


def test_threshold_defaults_to_the_cite_then_the_audience_setting(world):
    assert threshold_for(world.cite.pk, "national") == 11
    world.cite.secrecy_threshold = 8
    world.cite.save(update_fields=["secrecy_threshold"])
    assert threshold_for(world.cite.pk, "national") == 8
    SecrecySettings.objects.create(cite=world.cite, audience="public", threshold=20)
    assert threshold_for(world.cite.pk, "public") == 20
    assert threshold_for(None, "public") == 11
    assert thresholds_of_cite(world.cite.pk) == {"national": 8, "funders": 8, "public": 20, "steering": 8}


def test_unknown_audience_is_refused(world):
    with pytest.raises(ValueError):
        protect_table({("a",): 3}, ("x",), audience="everybody", indicator="i", cite_id=world.cite.pk)


def test_suppressions_are_logged_in_one_insert(world):
    counts = {("a",): 4, ("b",): 25, ("c",): 13}
    with CaptureQueriesContext(connection) as queries:
        table = protect_table(
            counts, ("x",), audience="funders", indicator="accompagnees", cite_id=world.cite.pk, threshold=11
        )
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert table.threshold == 11
    logs = list(
        SuppressionLog.objects.order_by("id").values_list("indicator", "cell_key", "rule", "audience")
    )
    assert logs == [
        ("accompagnees", ["a"], "primary", "funders"),
        ("accompagnees", ["c"], "complementary", "funders"),
    ]


def test_the_threshold_of_the_audience_is_applied(world):
    SecrecySettings.objects.create(cite=world.cite, audience="public", threshold=30)
    table = protect_table(
        {("a",): 25, ("b",): 40}, ("x",), audience="public", indicator="i", cite_id=world.cite.pk
    )
    assert table.threshold == 30
    assert table.value(("a",)) is None


def test_nothing_hidden_nothing_logged(world):
    protect_table({("a",): 25}, ("x",), audience="national", indicator="i", cite_id=world.cite.pk)
    assert not SuppressionLog.objects.exists()


def test_a_rate_not_shown_is_logged_when_named(world):
    assert (
        protect_rate(3, 8, threshold=11, indicator="taux", audience="steering", cite_id=world.cite.pk) is None
    )
    assert SuppressionLog.objects.get().rule == "rate"
    assert protect_rate(3, 12, threshold=11) == 0.25


def test_coordinator_sets_a_threshold_with_concurrency_and_audit(world):
    setting = set_threshold(ctx=ctx(world.coordinator), audience="public", threshold=15)
    assert setting.threshold == 15
    set_threshold(ctx=ctx(world.coordinator), audience="public", threshold=16, version=1)
    with pytest.raises(StaleEdit):
        set_threshold(ctx=ctx(world.coordinator), audience="public", threshold=17, version=1)
    assert SecrecySettings.objects.get().threshold == 16
    assert AuditEvent.objects.filter(code="secrecy.threshold").count() == 2
    with pytest.raises(ValueError):
        set_threshold(ctx=ctx(world.coordinator), audience="public", threshold=0)
    with pytest.raises(PermissionDenied):
        set_threshold(ctx=ctx(world.steering), audience="public", threshold=5)
