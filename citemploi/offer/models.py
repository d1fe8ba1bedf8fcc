"""The offer of services (cartographie des dispositifs): what each partner structure offers, to whom, where.

Services are not personal data: every role of a cité sees its partners' services, and published services are
shown to the public. Themes, publics and the area served are child rows (not JSON lists) so that the directory
filters on them with indexes, on SQLite and PostgreSQL alike.
"""

import calendar
from datetime import date

from django.db import models

from citemploi.offer.enums import (
    AreaKind,
    Fee,
    InsertionStep,
    ServiceNature,
    ServiceType,
)
from citemploi.partners.models import Structure
from citemploi.territory.models import Cite

#: a service not updated for this many months is stale: its structure is reminded, coordinators see it
STALE_AFTER_MONTHS = 6


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the last day of the month when that day does not exist)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def stale_cutoff(today: date) -> date:
    """Services last updated strictly before this day are stale."""
    return months_before(today, STALE_AFTER_MONTHS)


class Thematique(models.Model):
    """A data·inclusion v1 sub-theme, loaded from the official referential (`import_di_referentials`)."""

    code = models.CharField("code", max_length=150, unique=True)
    label = models.CharField("libellé", max_length=250)
    category = models.CharField("catégorie", max_length=80, db_index=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thématique data·inclusion"
        ordering = ["category", "label", "code"]

    def __str__(self) -> str:
        return self.label


class StructureSource(models.Model):
    """The identifier a partner structure has in a data·inclusion file, so that re-imports find it again."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="di_sources")
    source = models.CharField("producteur", max_length=100, blank=True)
    source_id = models.CharField("identifiant data·inclusion", max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source_id"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.structure}"


class Service(models.Model):
    """A service (dispositif) offered by a partner structure."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="services", verbose_name="structure"
    )
    name = models.CharField("nom", max_length=150)
    description = models.TextField("description")
    nature = models.CharField(
        "nature", max_length=20, choices=ServiceNature.choices, default=ServiceNature.DROIT_COMMUN
    )
    #: the cité whose call for projects funds the service (nature "aap")
    funding_cite = models.ForeignKey(
        Cite,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funded_services",
        verbose_name="cité qui finance",
    )
    step = models.CharField(
        "étape du parcours d'insertion", max_length=30, choices=InsertionStep.choices, blank=True
    )
    type = models.CharField("type de service", max_length=20, choices=ServiceType.choices, blank=True)
    access_conditions = models.TextField("conditions d'accès", blank=True)
    publics_details = models.TextField("précisions sur les publics", blank=True)
    # How to mobilise it
    prescribers = models.CharField("qui peut prescrire", max_length=300, blank=True)
    mobilisable_par = models.JSONField("mobilisable par", default=list, blank=True)
    modes_mobilisation = models.JSONField("modes de mobilisation", default=list, blank=True)
    mobilisation_details = models.TextField("précisions sur la mobilisation", blank=True)
    mobilisation_link = models.URLField("lien de mobilisation", max_length=2083, blank=True)
    contact_name = models.CharField("contact", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    # Where and when
    modes_accueil = models.JSONField("modes d'accueil", default=list, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=200, blank=True)
    insee_code = models.CharField("code INSEE du lieu", max_length=5, blank=True)
    opening_hours = models.CharField("horaires d'accueil", max_length=300, blank=True)
    fees = models.CharField("frais", max_length=10, choices=Fee.choices, blank=True)
    fees_details = models.TextField("précisions sur les frais", blank=True)
    weekly_hours = models.FloatField("volume horaire hebdomadaire", null=True, blank=True)
    weeks = models.PositiveIntegerField("nombre de semaines", null=True, blank=True)
    # Capacity
    capacity = models.PositiveIntegerField("places", null=True, blank=True)
    waiting_list = models.PositiveIntegerField("personnes en liste d'attente", null=True, blank=True)
    # Life
    opens_on = models.DateField("ouvert à partir du", null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    published = models.BooleanField(
        "visible dans l'annuaire public",
        default=True,
        help_text="Un service non visible reste consultable par les partenaires de la cité.",
    )
    last_updated_on = models.DateField("dernière mise à jour")
    stale_reminded_at = models.DateTimeField("dernière relance d'actualisation", null=True, blank=True)
    # Origin
    source = models.CharField("producteur", max_length=100, default="citemploi")
    source_id = models.CharField("identifiant data·inclusion", max_length=200, unique=True)
    source_link = models.URLField("lien vers la source", max_length=2083, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["last_updated_on"]),
            models.Index(fields=["structure", "name"]),
            # the directory's results by name: the first page reads the index in order and stops after 20
            # matches, instead of sorting every match of the national offer
            models.Index(fields=["name", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(opens_on__lte=models.F("valid_until")),
                name="service_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_address(self) -> str:
        """ "3 rue du Marais, bâtiment B, 80080 Amiens"."""
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.address, self.address_complement, town) if p)

    def is_stale(self, today: date) -> bool:
        return self.last_updated_on < stale_cutoff(today)

    def is_current(self, today: date) -> bool:
        """Open (or with no opening date) and not expired."""
        return (self.opens_on is None or self.opens_on <= today) and (
            self.valid_until is None or self.valid_until >= today
        )


class ServiceTheme(models.Model):
    """A data·inclusion theme of a service: a sub-theme code, or a category code for "the whole category"."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="themes")
    code = models.CharField(max_length=150, db_index=True)
    category = models.CharField(max_length=80, db_index=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="unique_service_theme")]
        # the need and theme filters probe each service's themes by category or code: read from the index
        indexes = [models.Index(fields=["service", "category", "code"])]

    def __str__(self) -> str:
        return self.code


class ServicePublic(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="publics")
    code = models.CharField(max_length=60, db_index=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="unique_service_public")]

    def __str__(self) -> str:
        return self.code


class ServiceArea(models.Model):
    """One code of the area a service serves (commune, EPCI, département, or the whole country)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=12, choices=AreaKind.choices)
    code = models.CharField(max_length=9)

    class Meta:
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["kind", "code"])]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "code"], name="unique_service_area")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class EmptySearch(models.Model):
    """Searches of the public directory that found nothing: a signal of unmet needs for the diagnostic.

    Only what was asked and where is kept, counted per day: no IP address, no session, nothing about who asked.
    """

    searched_on = models.DateField("date", db_index=True)
    barrier = models.CharField("frein", max_length=40, blank=True)
    theme = models.CharField("thématique", max_length=150, blank=True)
    public = models.CharField("public", max_length=60, blank=True)
    commune_code = models.CharField("commune", max_length=5, blank=True)
    qpv_code = models.CharField("QPV", max_length=12, blank=True)
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    count = models.PositiveIntegerField("nombre de recherches", default=1)

    class Meta:
        verbose_name = "recherche sans résultat"
        ordering = ["-searched_on", "id"]
        indexes = [models.Index(fields=["cite", "-searched_on"])]

    def __str__(self) -> str:
        return f"{self.searched_on} {self.barrier or self.theme} {self.commune_code or self.qpv_code}"
