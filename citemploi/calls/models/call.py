"""A call for projects (appel à projets) of a cité, its required documents and its scoring grid."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from citemploi.calls.enums import CallStatus
from citemploi.calls.models.base import TransitionLog
from citemploi.territory.models import Cite


class Call(models.Model):
    """A campaign: one cité, one year, an envelope, a submission window and its rules (as data)."""

    cite = models.ForeignKey(Cite, on_delete=models.PROTECT, related_name="calls")
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField("titre", max_length=250)
    summary = models.TextField("présentation", blank=True)
    rules_text = models.TextField(
        "règlement publié", blank=True, help_text="Le texte de l'appel à projets tel qu'il est publié."
    )
    themes = models.JSONField("thématiques", default=list, blank=True)
    envelope = models.DecimalField(
        "enveloppe (€)", max_digits=12, decimal_places=2, default=Decimal("100000")
    )
    eligible_holders = models.TextField("porteurs éligibles", blank=True)
    eligible_publics = models.TextField("publics visés", blank=True)
    opens_at = models.DateTimeField("ouverture des dépôts", null=True, blank=True)
    closes_at = models.DateTimeField(
        "clôture des dépôts",
        null=True,
        blank=True,
        help_text="Heure de Paris ; la minute de clôture est comprise (23h59 : un dépôt à 23:59:59 est à l'heure).",
    )
    contact_name = models.CharField("contact", max_length=200, blank=True)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    funder_label = models.CharField(
        "intitulé du financeur (ligne 74)",
        max_length=120,
        blank=True,
        help_text="Tel qu'il doit figurer dans le budget, par exemple « 80 – ETAT – POLITIQUE VILLE ».",
    )
    grantor_name = models.CharField("attribuant (données ouvertes)", max_length=250, blank=True)
    grantor_siret = models.CharField("SIRET de l'attribuant", max_length=14, blank=True)
    advance_percent = models.DecimalField(
        "avance à la signature (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    report_due_days = models.PositiveSmallIntegerField(
        "délai de remise des bilans (jours après la fin de l'action)", default=90
    )
    variance_threshold_percent = models.DecimalField(
        "écart budgétaire à justifier au-delà de (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        validators=[MinValueValidator(0)],
    )
    disagreement_points = models.DecimalField(
        "écart de notes signalé au-delà de (points sur 100)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    criterion_gap = models.PositiveSmallIntegerField(
        "écart par critère signalé à partir de (points)", default=2
    )
    status = models.CharField("état", max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year", "title", "id"]
        indexes = [models.Index(fields=["cite", "status", "-year"])]

    def __str__(self) -> str:
        return self.title


class CallTransition(TransitionLog):
    statuses = CallStatus

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="transitions")


class RequiredDocument(models.Model):
    """A document the holders must (or may) join to their file."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField("code", max_length=40)
    label = models.CharField("intitulé", max_length=200)
    description = models.TextField("précisions", blank=True)
    mandatory = models.BooleanField("obligatoire", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_required_document")]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """A criterion of the call's scoring grid: a weight, a scale 0..max_score, a descriptor per level."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=200)
    description = models.TextField("ce qui est apprécié", blank=True)
    weight = models.DecimalField(
        "pondération", max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    max_score = models.PositiveSmallIntegerField(
        "note maximale", default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    #: descriptors[i] describes the score i (0..max_score)
    descriptors = models.JSONField("descripteurs des niveaux", default=list, blank=True)
    is_bonus = models.BooleanField(
        "bonus", default=False, help_text="Un bonus s'ajoute à la note sans compter dans le maximum."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "critère"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    def descriptor(self, score: int) -> str:
        return self.descriptors[score] if 0 <= score < len(self.descriptors) else ""
