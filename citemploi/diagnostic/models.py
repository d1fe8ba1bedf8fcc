"""Models of the diagnostic domain: the reference indicators of each QPV (INSEE, France Travail, CAF…)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

SHARE = [MinValueValidator(0), MaxValueValidator(100)]


def _share(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=5, decimal_places=2, null=True, blank=True, validators=SHARE)


class QPVReference(models.Model):
    """Reference indicators of a QPV for a year; every value is optional (sources differ by QPV). Shares and
    rates are percentages (0 to 100)."""

    qpv = models.ForeignKey("territory.QPV", on_delete=models.CASCADE, related_name="references")
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField("source", max_length=250, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    job_seekers = models.PositiveIntegerField("demandeurs d'emploi", null=True, blank=True)
    rsa_recipients = models.PositiveIntegerField("allocataires du RSA", null=True, blank=True)
    share_15_24 = _share("part des 15–24 ans (%)")
    share_over_50 = _share("part des plus de 50 ans (%)")
    share_no_diploma = _share("part sans diplôme (%)")
    unemployment_rate = _share("taux de chômage (%)")
    poverty_rate = _share("taux de pauvreté (%)")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "indicateurs de référence d'un QPV"
        ordering = ["qpv__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["qpv", "year"], name="diagnostic_one_reference_per_qpv_and_year")
        ]

    def __str__(self) -> str:
        return f"{self.qpv_id} {self.year}"


#: the value fields, in the order of the CSV columns and of the screens
VALUE_FIELDS = [
    "population",
    "job_seekers",
    "rsa_recipients",
    "share_15_24",
    "share_over_50",
    "share_no_diploma",
    "unemployment_rate",
    "poverty_rate",
]
INTEGER_FIELDS = frozenset({"population", "job_seekers", "rsa_recipients"})
