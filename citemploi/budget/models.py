"""Models of the budget domain: a cité's yearly budget, co-funding, funded posts and other payments.

The AAP grants and their payments are not typed here: they are read from the calls (citemploi.budget.queries).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

ZERO = Decimal("0")
NON_NEGATIVE = [MinValueValidator(ZERO)]


class Category(models.TextChoices):
    """The three categories of the cité's envelope (ANCT)."""

    ANIMATION = "animation", "Animation territoriale"
    COORDINATION = "coordination", "Coordination de parcours"
    ENGINEERING = "engineering", "Ingénierie dédiée"


def _amount(label: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, validators=NON_NEGATIVE, **kwargs)  # type: ignore[arg-type]


class Budget(models.Model):
    """One year of a cité: the State envelope, the planned amount of each category, the co-funding."""

    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    state_envelope = _amount("enveloppe de l'État (€)", default=Decimal("100000"))
    planned_animation = _amount("prévu — animation territoriale (€)", default=ZERO)
    planned_coordination = _amount("prévu — coordination de parcours (€)", default=ZERO)
    planned_engineering = _amount("prévu — ingénierie dédiée (€)", default=ZERO)
    calls_category = models.CharField(
        "catégorie des subventions d'appels à projets",
        max_length=20,
        choices=Category.choices,
        default=Category.ENGINEERING,
        help_text="Les subventions des appels à projets de l'année sont engagées sur cette catégorie.",
    )
    note = models.TextField("commentaire", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "budget annuel"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["cite", "year"], name="budget_one_per_cite_and_year"),
            models.CheckConstraint(
                condition=models.Q(state_envelope__gte=0)
                & models.Q(planned_animation__gte=0)
                & models.Q(planned_coordination__gte=0)
                & models.Q(planned_engineering__gte=0),
                name="budget_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Budget {self.year}"

    def planned(self, category: str) -> Decimal:
        return {
            Category.ANIMATION: self.planned_animation,
            Category.COORDINATION: self.planned_coordination,
            Category.ENGINEERING: self.planned_engineering,
        }[Category(category)]


class CoFunding(models.Model):
    """A funder's contribution to the year (a local authority, the département, a foundation…)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="cofundings")
    funder = models.CharField("financeur", max_length=200)
    amount = _amount("montant (€)")
    note = models.CharField("précision", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "cofinancement"
        ordering = ["funder", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cofunding_amount_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.funder} : {self.amount} €"


class Commitment(models.Model):
    """A commitment typed by the coordinator: a funded post, a service bought, a support fund…
    (AAP grants are read from the calls, never typed)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="commitments")
    label = models.CharField("intitulé", max_length=250)
    category = models.CharField("catégorie", max_length=20, choices=Category.choices)
    amount = _amount("montant engagé (€)")
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "engagement"
        ordering = ["category", "label", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="commitment_amount_non_negative")
        ]

    def __str__(self) -> str:
        return self.label


class Payment(models.Model):
    """A payment typed by the coordinator on one of the typed commitments."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="payments")
    amount = _amount("montant versé (€)")
    paid_on = models.DateField("versé le")
    reference = models.CharField("référence (mandat, facture)", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="budget_payment_amount_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} € le {self.paid_on}"
