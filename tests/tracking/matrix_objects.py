"""Objects of the tracking screens for the generated permission matrix (tests/core/test_policy_matrix.py)."""

from datetime import timedelta

from django.utils import timezone

from citemploi.tracking.services import add_months
from tests.tracking.helpers import entry, job_outcome


def url_kwargs(name, keys, world, person):
    if not name.startswith("tracking:"):
        return None
    kwargs = {}
    if "pk" in keys:
        kwargs["pk"] = person.pk
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    if "entry_pk" in keys:
        # Written by the persona référent: they edit it, the coordinator is sent back to the journal.
        kwargs["entry_pk"] = entry(world, person, occurred_on=timezone.localdate()).pk
    if "check_pk" in keys:
        today = timezone.localdate()
        outcome = job_outcome(world, person, add_months(today, -7) - timedelta(days=1))
        kwargs["check_pk"] = outcome.checks.get(months=3).pk
    return kwargs
