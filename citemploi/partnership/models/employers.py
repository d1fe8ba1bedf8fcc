"""Companies engaged with the cité (club, PaQte…): what they offer, their contacts, their events."""

from django.db import models

from citemploi.partnership.enums import CompanySize, EmployerOfferKind, EngagementFrame


class Employer(models.Model):
    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="employers")
    name = models.CharField("raison sociale", max_length=250)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    sector = models.CharField("secteur d'activité", max_length=200, blank=True)
    size = models.CharField(
        "effectif", max_length=10, choices=CompanySize.choices, default=CompanySize.UNKNOWN
    )
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="commune"
    )
    website = models.URLField("site web", blank=True)
    structure = models.ForeignKey(
        "partners.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employer_profiles",
        verbose_name="structure partenaire correspondante",
        help_text="Si l'entreprise (ou son club) est aussi une structure partenaire de la cité.",
    )
    notes = models.TextField("remarques", blank=True)
    engaged_since = models.DateField("engagée depuis", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "entreprise engagée"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["cite", "name"], name="unique_employer_name")]

    def __str__(self) -> str:
        return self.name


class EmployerEngagement(models.Model):
    """A frame the company is engaged in (club of the cité, PaQte, FACE…)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="engagements")
    frame = models.CharField("engagement", max_length=10, choices=EngagementFrame.choices)

    class Meta:
        ordering = ["frame", "id"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "frame"], name="unique_employer_engagement")
        ]

    def __str__(self) -> str:
        return self.get_frame_display()


class EmployerOffer(models.Model):
    """Something the company offers the cité's public: visits, immersions, mentoring, jobs, sessions."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField("type de proposition", max_length=20, choices=EmployerOfferKind.choices)
    details = models.CharField("précisions", max_length=500, blank=True)
    places = models.PositiveIntegerField("nombre de places", null=True, blank=True)
    is_active = models.BooleanField("en cours", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class EmployerContact(models.Model):
    """A professional contact at the company."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    full_name = models.CharField("nom et prénom", max_length=200)
    function = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return self.full_name
