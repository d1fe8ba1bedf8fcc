"""Periodic jobs of the orientations: expiry of unanswered orientations, reminders before the deadline."""

from django_tasks import task

from citemploi.core.periodic import periodic
from citemploi.orientations import services


@periodic("orientations.expire_overdue", every="hourly")
@task()
def expire_overdue() -> int:
    """Every hour: orientations sent and still unanswered past their deadline become « expirée »."""
    return services.expire_overdue()


@periodic("orientations.remind_before_deadline", every="daily", at_hour=8)
@task()
def remind_before_deadline() -> int:
    """Every day at 8: the receiving structure is reminded once of an orientation close to its deadline."""
    return services.remind_before_deadline()
