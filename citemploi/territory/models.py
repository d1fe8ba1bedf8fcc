from django.db import models


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    department = models.CharField("département", max_length=3, db_index=True)

    class Meta:
        ordering = ["name", "insee_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class QPV(models.Model):
    """A quartier prioritaire de la politique de la ville (2024 list)."""

    code = models.CharField("code", max_length=12, unique=True)
    name = models.CharField("nom", max_length=250)
    department = models.CharField("département", max_length=3, db_index=True)
    communes = models.ManyToManyField(Commune, related_name="qpvs", blank=True)
    list_version = models.CharField("version de la liste", max_length=10, default="2024")
    population = models.PositiveIntegerField("population", null=True, blank=True)
    veille_active = models.BooleanField(
        "en veille active",
        default=False,
        help_text="Un QPV en veille active n'est plus éligible aux appels à projets.",
    )
    contour = models.JSONField("contour (GeoJSON)", null=True, blank=True)

    class Meta:
        verbose_name = "QPV"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Cite(models.Model):
    """A labelled cité de l'emploi: a territory, its QPV and its partnership."""

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    label_date = models.DateField("date de labellisation", null=True, blank=True)
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9, blank=True)
    copilots = models.CharField("co-pilotes", max_length=300, blank=True)
    communes = models.ManyToManyField(Commune, related_name="cites", blank=True)
    qpvs = models.ManyToManyField(QPV, related_name="cites", blank=True, verbose_name="QPV")
    annual_envelope = models.DecimalField(
        "enveloppe annuelle (€)", max_digits=12, decimal_places=2, default=100000
    )
    retention_months = models.PositiveSmallIntegerField(
        "durée de conservation après sortie (mois)", default=24
    )
    secrecy_threshold = models.PositiveSmallIntegerField("seuil de secret statistique", default=11)

    class Meta:
        verbose_name = "cité de l'emploi"
        verbose_name_plural = "cités de l'emploi"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
