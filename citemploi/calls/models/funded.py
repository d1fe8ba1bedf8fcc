"""The links of a funded action to the other domains: its service in the directory (citemploi.offer) and
its action in the cité's roadmap (citemploi.partnership), created once per file when its agreement is signed.

The link lives on the calls side: neither the directory nor the roadmap knows about calls, and the file
keeps a single row however many times the links are (re)built.
"""

from django.conf import settings
from django.db import models

from citemploi.calls.models.application import Application


class FundedActionLink(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="funded_link", verbose_name="dossier"
    )
    service = models.ForeignKey(
        "offer.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="service de l'annuaire",
    )
    roadmap_action = models.ForeignKey(
        "partnership.RoadmapAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="action de la feuille de route",
    )
    #: what could not be created, in French, for the coordination (empty when both links exist)
    problems = models.TextField("liens non créés", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "liens d'une action financée"

    def __str__(self) -> str:
        return f"liens {self.application_id}"

    @property
    def complete(self) -> bool:
        return self.service_id is not None and self.roadmap_action_id is not None
