"""Indicator results cached while their data is unchanged (citemploi/reporting/freshness.py): the data versions
follow every committed write, per cité where the write is a cité's own data, and the dashboards never show a
figure older than the data."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citemploi.people.enums import ReperageChannel
from citemploi.reporting import freshness
from citemploi.reporting.indicators import REGISTRY, Query
from citemploi.reporting.indicators.base import Cut, Period
from citemploi.reporting.models import DataVersion
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, CiteFactory
from tests.tracking.helpers import person_of

pytestmark = pytest.mark.django_db

T1 = "2026-T1"


@pytest.fixture(autouse=True)
def cached(settings):
    settings.INDICATOR_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _versions() -> dict[int, int]:
    return dict(DataVersion.objects.values_list("scope", "version"))


def _identified(world, n, on=date(2026, 2, 1)):
    for _ in range(n):
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=on,
            reperage_channel=ReperageChannel.FORUM,
            qpv=world.qpv,
        )


def _forum_count(client) -> str:
    response = client.get(reverse("reporting:home"), {"periode": T1})
    assert response.status_code == 200
    return response.context["sections"][0].blocks[0].shown.table.value(ReperageChannel.FORUM, "all")


def test_the_dashboard_follows_a_committed_change_and_reuses_its_figures_otherwise(
    client, world, django_capture_on_commit_callbacks
):
    _identified(world, 3)
    login_as(client, world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert _forum_count(client) == 3
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("reporting:home"), {"periode": "2026-T2"})
    with CaptureQueriesContext(connection) as again:
        assert _forum_count(client) == 3
    # Reading a dashboard changes no version (the secrecy log and the audit are not figures' data) ...
    assert len(again.captured_queries) < len(first.captured_queries) - 20
    # ... and a committed change is seen at once.
    with django_capture_on_commit_callbacks(execute=True):
        _identified(world, 2)
    assert _forum_count(client) == 5


def test_a_rolled_back_change_is_not_needed_and_an_uncommitted_one_is_not_seen_yet(client, world):
    from django.db import transaction

    before = _versions()
    with pytest.raises(RuntimeError), transaction.atomic():
        _identified(world, 1)
        raise RuntimeError
    assert _versions() == before


def test_a_write_in_a_cites_context_bumps_that_cite_only(client, world, django_capture_on_commit_callbacks):
    person = person_of(world)
    login_as(client, world.referent_ft)
    # the set-up's writes are pending on the test's never-committed transaction: not this request's
    freshness._pending(connection).clear()
    before = _versions()
    url = f"/suivi/personnes/{person.pk}/journal/nouvelle-entree/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"kind": "visit", "occurred_on": "2026-01-10", "text": "RDV", "private_note": ""}
        )
    assert response.status_code == 302
    after = _versions()
    assert after.get(world.cite.pk, 0) > before.get(world.cite.pk, 0)
    assert after.get(freshness.ALL, 0) == before.get(freshness.ALL, 0)


def test_shared_data_and_writes_without_a_cite_bump_everything(world, django_capture_on_commit_callbacks):
    before = _versions()
    with django_capture_on_commit_callbacks(execute=True):
        world.ft.name = "France Travail Amiens Nord"
        world.ft.save()  # a structure: every cité it works with shows it
    assert _versions()[freshness.ALL] > before.get(freshness.ALL, 0)


def test_a_stamp_changes_with_each_cites_version_and_with_a_new_epoch(world):
    other = CiteFactory(slug="lens", name="Lens")
    stamp = freshness.Stamp.of([world.cite.pk, other.pk])
    assert freshness.Stamp.of([other.pk, world.cite.pk]) == stamp
    freshness.bump([other.pk])
    bumped = freshness.Stamp.of([world.cite.pk, other.pk])
    assert bumped != stamp
    assert freshness.Stamp.of([world.cite.pk]) != bumped
    freshness.new_epoch()
    assert freshness.Stamp.of([world.cite.pk, other.pk]) != bumped


def test_a_cached_table_is_the_computed_one(world):
    _identified(world, 4)
    query = Query(cite_ids=(world.cite.pk,), period=Period.quarter(2026, 1), cut=Cut.QPV)
    stamp = freshness.Stamp.of(query.cite_ids)
    for code, indicator in REGISTRY.items():
        computed = freshness.run(indicator, query, stamp)
        again = freshness.run(indicator, query, stamp)
        assert again.indicator.code == code
        assert again.indicator.additive == computed.indicator.additive
        assert (again.cells, again.categories, again.columns) == (
            computed.cells,
            computed.categories,
            computed.columns,
        )
        assert again.denominators == computed.denominators


def test_without_a_stamp_or_with_the_cache_off_it_computes(world, settings):
    query = Query(cite_ids=(world.cite.pk,), period=Period.quarter(2026, 1))
    indicator = REGISTRY["people.identified"]
    stamp = freshness.Stamp.of(query.cite_ids)
    assert freshness.run(indicator, query, stamp).total == 0
    _identified(world, 2)  # not committed: the stamp is the same, the cached figure is kept ...
    assert freshness.run(indicator, query, stamp).total == 0
    assert freshness.run(indicator, query, None).total == 2  # ... but not used without a stamp
    settings.INDICATOR_CACHE_SECONDS = 0
    assert freshness.run(indicator, query, stamp).total == 2
