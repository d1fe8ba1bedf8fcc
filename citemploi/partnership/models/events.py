"""Actions and events of animation and aller-vers: job datings, forums, cafés emploi, permanences…

Participants are recorded two ways that add up without double counting:
- `counted_*` fields: people counted at the event without being named (headcount of the unnamed);
- `Participation` rows: named people, whose attendance is on their file. Each keeps, as anonymous
  statistics, the person's gender, age band on the event date and QPV residence, so the figures survive
  the anonymisation of the file.
"""

from django.conf import settings
from django.db import models

from citemploi.partnership.enums import EventKind, EventRole


class Event(models.Model):
    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type d'action", max_length=20, choices=EventKind.choices)
    title = models.CharField("intitulé", max_length=250)
    date = models.DateField("date")
    place = models.CharField("lieu", max_length=300, blank=True)
    qpv = models.ForeignKey(
        "territory.QPV",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="QPV du lieu",
    )
    description = models.TextField("description", blank=True)
    structures = models.ManyToManyField(
        "partners.Structure", through="EventStructure", related_name="events", blank=True
    )
    employers = models.ManyToManyField(
        "partnership.Employer", related_name="events", blank=True, verbose_name="entreprises associées"
    )
    roadmap_action = models.ForeignKey(
        "partnership.RoadmapAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="action de la feuille de route",
    )
    # People counted without being named (named participants are added to these, never included in them).
    counted_total = models.PositiveIntegerField("participant·es compté·es sans être nommé·es", default=0)
    counted_young = models.PositiveIntegerField("dont jeunes (moins de 26 ans)", default=0)
    counted_women = models.PositiveIntegerField("dont femmes", default=0)
    counted_seniors = models.PositiveIntegerField("dont seniors (50 ans et plus)", default=0)
    counted_qpv = models.PositiveIntegerField("dont résident·es d'un QPV", default=0)
    hours_delivered = models.DecimalField(
        "heures d'action réalisées", max_digits=7, decimal_places=2, default=0
    )
    coordination_hours = models.DecimalField(
        "heures de coordination avec les partenaires", max_digits=7, decimal_places=2, default=0
    )
    # Results, for all participants (named or not)
    found_count = models.PositiveIntegerField("personnes repérées", default=0)
    hooked_count = models.PositiveIntegerField("personnes raccrochées à une structure", default=0)
    employed_count = models.PositiveIntegerField("personnes en emploi", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "action / événement"
        verbose_name_plural = "actions et événements"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["cite", "-date", "-id"]),
            models.Index(fields=["cite", "kind", "-date"]),
        ]

    def __str__(self) -> str:
        return self.title


class EventStructure(models.Model):
    """A partner structure taking part in an event, as organiser or as partner."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="structure_links")
    structure = models.ForeignKey("partners.Structure", on_delete=models.PROTECT, related_name="event_links")
    role = models.CharField("rôle", max_length=10, choices=EventRole.choices)

    class Meta:
        ordering = ["role", "structure__name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "structure"], name="unique_event_structure")]

    def __str__(self) -> str:
        return f"{self.structure} ({self.get_role_display()})"


class Participation(models.Model):
    """A named person's attendance at an event (personal data: read through partnership.queries)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    #: null once the person's file is erased: the anonymous figures below remain in the statistics
    beneficiary = models.ForeignKey(
        "people.Beneficiary", on_delete=models.SET_NULL, null=True, related_name="participations"
    )
    # Anonymous statistics, taken on the event date
    is_woman = models.BooleanField(default=False)
    age_band = models.CharField(max_length=10, blank=True)
    qpv_resident = models.BooleanField(default=False)
    #: the person's file was created at this event (the event is how they were found)
    first_met_here = models.BooleanField("repéré·e lors de cet événement", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "beneficiary"], name="unique_event_participation")
        ]
        indexes = [models.Index(fields=["beneficiary", "event"])]

    def __str__(self) -> str:
        return f"participation #{self.beneficiary_id} à {self.event_id}"
