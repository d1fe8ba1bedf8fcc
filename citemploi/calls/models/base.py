"""What the models of the calls share: the transition log of a state machine."""

from typing import ClassVar

from django.conf import settings
from django.db import models


class TransitionLog(models.Model):
    """One change of status: who, when, from, to, why (plus details such as the rule results seen)."""

    from_status = models.CharField("de", max_length=30)
    to_status = models.CharField("vers", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("par", max_length=300)
    reason = models.TextField("motif", blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("le", auto_now_add=True)

    #: the statuses of the machine, for their labels
    statuses: ClassVar[type[models.TextChoices]]

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def _label(self, status: str) -> str:
        try:
            return str(self.statuses(status).label)
        except ValueError:
            return status

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
