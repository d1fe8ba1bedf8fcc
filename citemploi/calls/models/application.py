"""An application (dossier) to a call: the holder's project, its partners, objectives, activities,
documents, the versions frozen at each submission and the messages with the instructors.

The holder's contact and signatory are personal data: reads go through citemploi.calls.queries.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.enums import ApplicationStatus, Theme
from citemploi.calls.models.base import TransitionLog
from citemploi.calls.models.call import Call
from citemploi.partners.models import Structure
from citemploi.territory.models import QPV


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    holder = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="applications", verbose_name="structure porteuse"
    )
    reference = models.CharField("référence", max_length=40, unique=True)
    title = models.CharField(
        "intitulé de l'action", max_length=250, help_text="Par exemple « CITE EMPLOI-Auto-école sociale »."
    )
    status = models.CharField(
        "état", max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Holder
    holder_siret = models.CharField("SIRET", max_length=14, blank=True)
    holder_rna = models.CharField("numéro RNA", max_length=10, blank=True)
    signatory_name = models.CharField("représentant·e légal·e (signataire)", max_length=200, blank=True)
    signatory_role = models.CharField("qualité du signataire", max_length=150, blank=True)
    signatory_email = models.EmailField("e-mail du signataire", blank=True)
    contact_name = models.CharField("personne chargée du dossier", max_length=200, blank=True)
    contact_email = models.EmailField("e-mail de la personne chargée du dossier", blank=True)
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)
    # Project
    description = models.TextField("description", blank=True)
    theme = models.CharField("thématique", max_length=30, choices=Theme.choices, blank=True)
    target_people = models.PositiveIntegerField(
        "personnes visées (résident·es des QPV)", null=True, blank=True
    )
    target_young = models.PositiveIntegerField("dont jeunes de moins de 26 ans", null=True, blank=True)
    target_women = models.PositiveIntegerField("dont femmes", null=True, blank=True)
    target_seniors = models.PositiveIntegerField("dont seniors (50 ans et plus)", null=True, blank=True)
    qpvs = models.ManyToManyField(QPV, blank=True, related_name="applications", verbose_name="QPV concernés")
    places = models.TextField("lieux de réalisation", blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    hr_description = models.TextField("moyens humains", blank=True)
    hr_fte = models.DecimalField(
        "équivalents temps plein",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    hr_volunteers = models.PositiveIntegerField("bénévoles", null=True, blank=True)
    hires_planned = models.BooleanField("le projet demande un recrutement", default=False)
    emplois_francs = models.BooleanField(
        "recrutement d'un·e résident·e des QPV en Emplois francs envisagé", default=False
    )
    investment_amount = models.DecimalField(
        "dépenses d'investissement prévues (€)",
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    requested_amount = models.DecimalField(
        "subvention demandée à la cité (€)",
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    # Instruction and decision
    complete_by = models.DateField("à compléter avant le", null=True, blank=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    awarded_amount = models.DecimalField(
        "montant attribué (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_conditions = models.TextField("conditions", blank=True)
    reimbursement_amount = models.DecimalField(
        "montant à reverser (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "dossier"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["call", "status"]), models.Index(fields=["holder", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class ApplicationTransition(TransitionLog):
    statuses = ApplicationStatus

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")


class ApplicationPartner(models.Model):
    """A partner of the project and its role. A partner structure of the cité is linked, so that a reviewer
    who belongs to it is flagged for a conflict of interest."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="structure"
    )
    name = models.CharField("nom (si la structure n'est pas dans l'annuaire)", max_length=250, blank=True)
    role = models.CharField("rôle dans le projet", max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.structure.name if self.structure_id else self.name


class Objective(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("objectif", max_length=300)
    indicator = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=60)
    target = models.DecimalField("cible", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("activité", max_length=300)
    description = models.TextField("déroulé", blank=True)
    planned_hours = models.DecimalField(
        "heures prévues",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = "activité"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


def _document_path(instance: "ApplicationDocument", filename: str) -> str:
    # A random name: the original name is kept in the row, never used on disk.
    return f"calls/{instance.application.call_id}/{instance.application_id}/{secrets.token_urlsafe(18)}"


class ApplicationDocument(models.Model):
    """A document joined to a file. Stored under MEDIA_ROOT/calls (never served by the web server): the
    download screen checks who asks."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("pièce", max_length=40)
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationVersion(models.Model):
    """The file as it was submitted: a JSON snapshot and the rule results of that moment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    rule_results = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version")]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.number}"


class Message(models.Model):
    """A message between the holder and the instructors of the file."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=300)
    from_holder = models.BooleanField(default=False)
    body = models.TextField("message")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_label} ({self.created_at:%d/%m/%Y})"
