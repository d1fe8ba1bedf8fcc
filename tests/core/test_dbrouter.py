"""The indicators' reads go to the read replica when one is configured, and nothing else does."""

from django.db import router

from citemploi.core import dbrouter
from citemploi.core.dbrouter import REPLICA, ReportingReplicaRouter, reads_for_reporting
from citemploi.people.models import Beneficiary
from citemploi.reporting.models import DataVersion


def test_without_a_replica_everything_stays_on_default(settings):
    assert REPLICA not in settings.DATABASES
    with reads_for_reporting():
        assert router.db_for_read(Beneficiary) == "default"


def test_with_a_replica_only_the_reporting_reads_go_there(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    routing = ReportingReplicaRouter()
    assert routing.db_for_read(Beneficiary) is None
    with reads_for_reporting():
        assert routing.db_for_read(Beneficiary) == REPLICA
        assert routing.db_for_read(DataVersion) == REPLICA  # the versions with the figures (freshness.py)
        assert routing.db_for_write(Beneficiary) is None
    assert routing.db_for_read(Beneficiary) is None
    assert routing.allow_migrate("default", "people") is True
    assert routing.allow_migrate(REPLICA, "people") is False
