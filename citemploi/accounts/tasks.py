"""Daily pruning of the sign-in security rows: attempts and rate-limit counters past their window."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from citemploi.accounts.models import RateLimitCounter, SignInAttempt
from citemploi.core.periodic import periodic

#: attempts are kept a little longer than the lockout window, to read them when a user calls for help
ATTEMPTS_KEPT_DAYS = 30


def prune_security_rows(now=None) -> dict[str, int]:
    """Delete sign-in attempts older than ATTEMPTS_KEPT_DAYS (and the lockout window) and ended counters."""
    now = now or timezone.now()
    keep = max(timedelta(days=ATTEMPTS_KEPT_DAYS), timedelta(seconds=settings.SIGNIN_LOCKOUT_SECONDS))
    attempts, _ = SignInAttempt.objects.filter(created_at__lt=now - keep).delete()
    counters, _ = RateLimitCounter.objects.filter(window_end__lt=now).delete()
    return {"attempts": attempts, "counters": counters}


@periodic("accounts.prune_security_rows", every="daily", at_hour=3)
@task()
def prune_security_rows_task() -> dict[str, int]:
    return prune_security_rows()
