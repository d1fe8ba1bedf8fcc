"""What protected audiences see of the indicator tables: rates hidden by their denominator, explicit
categories, thresholds read once per page (hand-computed figures)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query, Unit
from citemploi.reporting.indicators.base import Table
from citemploi.reporting.protection import NATIONAL, STEERING, protect
from citemploi.secrecy import Thresholds
from citemploi.secrecy.models import SecrecySettings, SuppressionLog
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import FollowUpCheck, Outcome
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory
from tests.reporting.test_screens import T1, _activity, _people

pytestmark = pytest.mark.django_db

Q1 = Period.quarter(2026, 1)
PARIS = ZoneInfo("Europe/Paris")


def _rate_table(world, cells, denominators, numerators=None, categories=None):
    indicator = REGISTRY["outcomes.retention_rate"]
    return Table(
        indicator,
        Query((world.cite.pk,), Q1),
        categories or [("3", "À 3 mois"), ("6", "À 6 mois"), ("12", "À 12 mois")],
        [("all", "Total")],
        cells,
        denominators=denominators,
        numerators=numerators,
    )


def _checks(world, months, recorded, retained, *, due_on=date(2026, 3, 15)):
    """`recorded` checks of job outcomes due in T1, `retained` of them still in job."""
    for i in range(recorded):
        person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
        outcome = Outcome.objects.create(
            beneficiary=person,
            type=OutcomeType.SUSTAINABLE_JOB,
            outcome_on=date(2025, 6, 1),
            recorded_by=world.coordinator.user,
        )
        FollowUpCheck.objects.create(
            outcome=outcome,
            months=months,
            due_on=due_on,
            recorded_on=due_on,
            still_in_job_or_training=i < retained,
        )


# --- 1. Rates, means and medians -------------------------------------------------------------------------


def test_a_rate_is_hidden_when_its_denominator_is_under_the_threshold(world):
    table = _rate_table(
        world,
        {("3", "all"): 100.0, ("6", "all"): 50.0},
        denominators={("3", "all"): 15, ("6", "all"): 10},
        numerators={("3", "all"): 15, ("6", "all"): 5},
    )
    shown = protect(table, audience=STEERING, cite_id=world.cite.pk)
    # 15 checks recorded ≥ 11, 15 retained, 0 not retained: shown
    assert shown.cells[("3", "all")] == 100.0
    # 10 checks recorded < 11: hidden
    assert shown.cells[("6", "all")] is None
    # nothing recorded at 12 months: no rate at all (not « 0 % »), and nothing logged
    assert shown.cells[("12", "all")] is None
    assert shown.protected and shown.total is None
    logs = list(SuppressionLog.objects.values_list("indicator", "cell_key", "rule", "audience", "threshold"))
    assert logs == [("outcomes.retention_rate", ["6", "all"], "rate", "steering", 11)]


def test_a_rate_that_would_give_a_small_count_back_is_hidden(world):
    table = _rate_table(
        world,
        {("3", "all"): 20.0, ("6", "all"): 75.0, ("12", "all"): 0.0},
        denominators={("3", "all"): 20, ("6", "all"): 20, ("12", "all"): 20},
        numerators={("3", "all"): 4, ("6", "all"): 15, ("12", "all"): 0},
    )
    shown = protect(table, audience=STEERING, cite_id=world.cite.pk)
    # 20 % of 20 = 4 people retained, a count under 11: 4 could be read back
    assert shown.cells[("3", "all")] is None
    # 75 % of 20: 15 retained but 5 not retained, under 11
    assert shown.cells[("6", "all")] is None
    # 0 of 20: zero is shown (zero people, 20 not retained)
    assert shown.cells[("12", "all")] == 0.0
    assert SuppressionLog.objects.filter(rule="rate").count() == 2


def test_a_rate_whose_denominators_are_unknown_is_hidden(world):
    table = _rate_table(world, {("3", "all"): 100.0}, denominators=None)
    shown = protect(table, audience=NATIONAL, cite_id=None)
    assert shown.cells == {("3", "all"): None, ("6", "all"): None, ("12", "all"): None}
    assert list(SuppressionLog.objects.values_list("cell_key", "rule")) == [(["3", "all"], "rate")]


def test_every_rate_or_delay_indicator_tells_its_denominator(world):
    """A new rate indicator must declare what it divides (or be a ratio of money, listed here)."""
    money_ratios = {"calls.envelope_share"}
    for code, indicator in REGISTRY.items():
        if indicator.unit in (Unit.PERCENT, Unit.DAYS) or indicator.ratio:
            assert indicator.ratio or code in money_ratios, code
            if indicator.ratio:
                assert indicator.protected
                table = indicator.run(Query((world.cite.pk,), Q1))
                assert table.denominators is not None, code
    assert REGISTRY["calls.cost_per_person"].ratio  # euros per person reached: a mean over people


def test_retention_rate_for_steering_and_national(world):
    _checks(world, 3, recorded=12, retained=12)  # 12 / 12 = 100 %
    _checks(world, 6, recorded=12, retained=6)  # 50 %, but 6 retained and 6 not: both under 11
    _checks(world, 12, recorded=3, retained=3)  # 3 checks: denominator under 11
    table = REGISTRY["outcomes.retention_rate"].run(Query((world.cite.pk,), Q1))
    assert table.denominators == {("3", "all"): 12, ("6", "all"): 12, ("12", "all"): 3}
    assert table.numerators == {("3", "all"): 12, ("6", "all"): 6, ("12", "all"): 3}
    steering = protect(table, audience=STEERING, cite_id=world.cite.pk)
    assert [row["cells"] for row in steering.rows] == [[100.0], [None], [None]]
    national = REGISTRY["outcomes.retention_rate"].run(
        Query((world.cite.pk, world.other_cite.pk), Q1, Cut.CITE)
    )
    shown = protect(national, audience=NATIONAL, cite_id=None)
    assert shown.cells[("3", str(world.cite.pk))] == 100.0
    assert shown.cells[("12", str(world.cite.pk))] is None
    # The cité lowers the steering threshold to 3: the 12-month rate (3 / 3) and the 6-month rate show.
    SecrecySettings.objects.create(cite=world.cite, audience="steering", threshold=3)
    lowered = protect(table, audience=STEERING, cite_id=world.cite.pk)
    assert [row["cells"] for row in lowered.rows] == [[100.0], [50.0], [100.0]]


def _orientations(world, n, *, answered_after=timedelta(days=2), started=True):
    from citemploi.orientations.enums import Status
    from citemploi.orientations.models import Orientation

    sent = datetime(2026, 2, 10, 10, tzinfo=PARIS)
    for _ in range(n):
        person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
        Orientation.objects.create(
            cite=world.cite,
            beneficiary=person,
            service_name="Service",
            receiving_structure=world.ml,
            message="motif",
            sent_at=sent,
            deadline=sent + timedelta(days=10),
            status=Status.STARTED if started else Status.ACCEPTED,
            answered_at=sent + answered_after,
            started_at=sent + timedelta(days=9) if started else None,
        )


def test_delays_are_hidden_when_few_orientations_were_measured(world):
    # 11 orientations answered after 2 days; 4 of them started after 9 days
    _orientations(world, 4)
    _orientations(world, 7, started=False)
    table = REGISTRY["orientations.delays"].run(Query((world.cite.pk,), Q1))
    assert table.denominators == {
        ("answer_median", "all"): 11,
        ("answer_p90", "all"): 11,
        ("start_median", "all"): 4,
        ("start_p90", "all"): 4,
    }
    shown = protect(table, audience=STEERING, cite_id=world.cite.pk)
    assert shown.cells[("answer_median", "all")] == 2.0
    assert shown.cells[("answer_p90", "all")] == 2.0
    assert shown.cells[("start_median", "all")] is None
    assert shown.cells[("start_p90", "all")] is None
    assert sorted(SuppressionLog.objects.values_list("cell_key", flat=True)) == [
        ["start_median", "all"],
        ["start_p90", "all"],
    ]


def test_lift_rate_and_solution_share_carry_their_denominators(world):
    from citemploi.pathways.enums import BarrierState
    from tests.reporting.test_indicators_barriers import _record

    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    _record(world, person, "mobilite", date(2026, 1, 5), [(BarrierState.LIFTED, date(2026, 2, 1))])
    table = REGISTRY["barriers.lift_rate"].run(Query((world.cite.pk,), Q1))
    assert table.value("mobilite", "all") == 100.0
    assert table.denominators == {("mobilite", "all"): 1}
    assert table.numerators == {("mobilite", "all"): 1}
    assert protect(table, audience=STEERING, cite_id=world.cite.pk).cells[("mobilite", "all")] is None
    share = REGISTRY["cohorts.solution_share"].run(Query((world.cite.pk,), Q1))
    assert share.denominators == {("share", "all"): 0} and share.cells == {}
    assert protect(share, audience=STEERING, cite_id=world.cite.pk).cells == {("share", "all"): None}


# --- 2. Explicit categories: no figure guessed ----------------------------------------------------------


def test_protected_counts_read_zero_only_for_known_empty_categories(world):
    indicator = REGISTRY["people.identified"]
    empty = Table(
        indicator, Query((world.cite.pk,), Q1, Cut.QPV), [("forum", "Forum"), ("cafe", "Café")], [], {}
    )
    shown = protect(empty, audience=STEERING, cite_id=world.cite.pk)
    assert shown.row_totals == {"forum": 0, "cafe": 0}
    assert shown.column_totals == {} and shown.total == 0
    # A row of zeros next to a secret cell: its margin is an exact 0, the secret row's margin is hidden.
    table = Table(
        indicator,
        Query((world.cite.pk,), Q1, Cut.GENDER),
        [("forum", "Forum"), ("cafe", "Café"), ("mission", "Mission")],
        [("F", "Femmes"), ("M", "Hommes")],
        {("forum", "F"): 3, ("forum", "M"): 20, ("mission", "F"): 15, ("mission", "M"): 40},
    )
    shown = protect(table, audience=STEERING, cite_id=world.cite.pk)
    assert shown.row_totals["cafe"] == 0
    assert shown.cells[("cafe", "F")] == 0 and shown.cells[("cafe", "M")] == 0
    assert shown.cells[("forum", "F")] is None and shown.cells[("forum", "M")] is None
    assert shown.row_totals["forum"] == 23 and shown.total == 78


def test_a_figure_outside_the_tables_categories_is_an_error_not_a_zero(world):
    """The engine knows every category it was given; asking for another one is a bug, not a zero."""
    from citemploi.secrecy import protect_table

    protected = protect_table(
        {("a", "x"): 12},
        ("categorie", "qpv"),
        audience=STEERING,
        indicator="test",
        cite_id=world.cite.pk,
        threshold=11,
        categories=[["a", "b"], ["x", "y"]],
    )
    assert protected.margin(0, "b") == 0 and protected.margin(1, "y") == 0
    with pytest.raises(KeyError):
        protected.margin(0, "z")


# --- 3. Thresholds read once per page --------------------------------------------------------------------


def test_thresholds_are_read_once_per_cite_and_audience(world, django_assert_num_queries):
    SecrecySettings.objects.create(cite=world.cite, audience="steering", threshold=5)
    thresholds = Thresholds()
    with django_assert_num_queries(1):
        assert thresholds.get(world.cite.pk, "steering") == 5
        assert thresholds.get(world.cite.pk, "steering") == 5
    with django_assert_num_queries(2):  # no setting for funders: the cité's default
        assert thresholds.get(world.cite.pk, "funders") == 11
        assert thresholds.get(world.cite.pk, "funders") == 11
    with django_assert_num_queries(0):
        assert thresholds.get(None, "national") == 11
    # A new computation (the next page) reads the threshold the coordinator just changed.
    SecrecySettings.objects.filter(cite=world.cite, audience="steering").update(threshold=7)
    assert thresholds.get(world.cite.pk, "steering") == 5
    assert Thresholds().get(world.cite.pk, "steering") == 7


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"periode": T1}).status_code == 200
    return queries


def test_steering_page_reads_the_threshold_once(client, world):
    _people(world, 5)
    _activity(world, 3)
    login_as(client, world.steering)
    url = reverse("reporting:home")
    client.get(url, {"periode": T1})
    queries = _count(client, url)
    lookups = [q for q in queries.captured_queries if 'FROM "secrecy_secrecysettings"' in q["sql"]]
    assert len(lookups) == 1


def test_steering_dashboard_query_count_is_pinned(client, world, django_assert_num_queries):
    """The steering page runs the coordinator's queries plus what secrecy costs: the threshold read once
    (the steering setting, then the cité's default: 2 queries, was 2 per protected table, 19 tables) and one
    insert into the suppression log per table with something hidden (8 tables here)."""
    _people(world, 5)
    _activity(world, 3)
    url = reverse("reporting:home")
    login_as(client, world.coordinator)
    client.get(url, {"periode": T1})
    exact = len(_count(client, url))
    client.logout()
    login_as(client, world.steering)
    client.get(url, {"periode": T1})
    with django_assert_num_queries(exact + 2 + 8):
        client.get(url, {"periode": T1})
    assert SuppressionLog.objects.values("indicator").distinct().count() >= 8
