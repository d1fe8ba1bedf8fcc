import hashlib
import secrets

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One audit row: who did what, on which object, when; old/new values for changes.

    Reads of personal files are logged too (event codes ending in `.read` / `.list`).
    """

    cite = models.ForeignKey(
        "territory.Cite", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True)
    actor_structure = models.ForeignKey(
        "partners.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=30, blank=True)
    code = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    #: the person concerned, so that their right-of-access export lists who read or changed their file
    beneficiary_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=10, default="web")  # web | api | cli | task
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["cite", "-created_at"]),
            models.Index(fields=["beneficiary_id", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}#{self.object_id}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}#{self.object_id}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the REST API, tied to one membership (the cité, structure and role it acts with).

    Only a hash is stored: the token is printed once, when created.
    """

    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'sans nom'})"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        raw = "cte_" + secrets.token_urlsafe(32)
        return raw, raw[4:12], _hash_token(raw)

    @classmethod
    def find(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.active()
            .select_related("membership__user", "membership__cite", "membership__structure")
            .filter(token_hash=_hash_token(raw), membership__is_active=True, membership__user__is_active=True)
            .first()
        )


class PeriodicJobRun(models.Model):
    """Marks that a periodic job was enqueued for a given period, so several workers enqueue it once."""

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="unique_job_period")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period}"


class AuditSubject(models.Model):
    """A person shown by a list or export event, so that their right-of-access file finds it by index."""

    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="subjects")
    beneficiary_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"event {self.event_id} → {self.beneficiary_id}"
