"""Indicators computed together on several connections (citemploi/reporting/parallel.py): the same tables as
one after the other, on this connection inside a transaction, errors raised to the caller, the threads'
connections closed."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from citemploi.demo.bench import build_bench
from citemploi.demo.bench_activity import Volumes
from citemploi.reporting import parallel
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query, compute_all
from citemploi.territory.models import Cite
from tests.factories import BeneficiaryFactory

TODAY = date.today() - timedelta(days=3)


def _content(table):
    return (table.indicator.code, table.cells, table.categories, table.columns, table.denominators)


class _Counting:
    """threading.Thread.start, counted (to know the work was shared)."""

    def __init__(self, monkeypatch):
        self.started = 0
        original = threading.Thread.start

        def start(thread):
            if thread.name == parallel.THREAD_NAME:
                self.started += 1
            return original(thread)

        monkeypatch.setattr(threading.Thread, "start", start)


@pytest.mark.django_db(transaction=True)
def test_threads_give_the_same_tables_as_one_after_the_other(settings, monkeypatch):
    build_bench(cites=2, people=160, seed=11, today=TODAY, volumes=Volumes(services_per_cite=10))
    cite_ids = tuple(Cite.objects.order_by("pk").values_list("pk", flat=True))
    year = Period(date(TODAY.year - 1, 1, 1), TODAY)
    counting = _Counting(monkeypatch)
    for query in (Query(cite_ids, year, Cut.CITE), Query(cite_ids[:1], year, Cut.AGE_BAND)):
        settings.INDICATOR_WORKERS = 1
        alone = [_content(t) for t in compute_all(query)]
        assert counting.started == 0
        settings.INDICATOR_WORKERS = 3
        together = [_content(t) for t in compute_all(query)]
        assert counting.started == 2  # two threads beside the caller's
        assert together == alone  # every table, in the registry's order
        assert [code for code, *_ in together] == list(REGISTRY)
        assert any(
            cells for _code, cells, *_ in together
        )  # the data is there: the comparison means something
        counting.started = 0


def test_inside_a_transaction_they_are_computed_on_this_connection(db, settings, world):
    settings.INDICATOR_WORKERS = 4
    assert connection.in_atomic_block
    assert parallel.workers_for(10) == 1
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, identified_on=date(2026, 2, 1))
    # the person is not committed: only this connection sees them
    query = Query((world.cite.pk,), Period.quarter(2026, 1))
    assert compute_all(query, ["people.identified"])[0].total == 1


class _Fake:
    def __init__(self, code, result=None, error=None, seen=None):
        self.code, self.result, self.error, self.seen = code, result, error, seen

    def run(self, query):
        if self.seen is not None:
            self.seen.append((threading.current_thread().name, connections["default"]))
            connections["default"].ensure_connection()
        if self.error:
            raise self.error
        time.sleep(0.02)  # long enough for every thread to take its share
        return self.result


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_thread_reaches_the_caller_and_no_thread_is_left(settings):
    settings.INDICATOR_WORKERS = 3
    fakes = [_Fake(f"ok{i}", result=i) for i in range(5)] + [
        _Fake("bad", error=ValueError("calcul impossible"))
    ]
    with pytest.raises(ValueError, match="calcul impossible"):
        parallel.compute(fakes, query=None)
    assert not [t for t in threading.enumerate() if t.name == parallel.THREAD_NAME]


@pytest.mark.django_db(transaction=True)
def test_results_keep_the_order_asked_and_threads_close_their_connections(settings, monkeypatch):
    settings.INDICATOR_WORKERS = 3
    seen, closed = [], []
    close_all = connections.close_all

    def spy():
        closed.append((threading.current_thread().name, connections["default"]))
        close_all()

    monkeypatch.setattr(connections, "close_all", spy)
    fakes = [_Fake(f"i{i}", result=i, seen=seen) for i in range(12)]
    parallel._last_seconds["i11"] = 5.0  # the longest goes first, its result stays in its place
    assert parallel.compute(fakes, query=None) == list(range(12))
    others = {id(conn) for name, conn in seen if name == parallel.THREAD_NAME}
    assert others, "no indicator was computed by another thread"
    assert id(connections["default"]) not in others  # each thread has its own connection, not the caller's
    # each thread closed its own connections when done (an in-memory test database ignores the close itself)
    assert [name for name, _conn in closed] == [parallel.THREAD_NAME] * 2
    assert others <= {id(conn) for _name, conn in closed}
    assert not [t for t in threading.enumerate() if t.name == parallel.THREAD_NAME]
