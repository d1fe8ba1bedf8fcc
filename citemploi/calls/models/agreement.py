"""The agreement (convention) of a funded file, its payment schedule and the payments made."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.enums import InstallmentKind
from citemploi.calls.models.application import Application


class Agreement(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="agreement")
    number = models.CharField("numéro", max_length=60, unique=True)
    amount = models.DecimalField(
        "montant de la subvention (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField("début de l'action")
    ends_on = models.DateField("fin de l'action")
    report_due_on = models.DateField("bilans à remettre avant le")
    signed_on = models.DateField("signée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "convention"

    def __str__(self) -> str:
        return self.number


class Installment(models.Model):
    """A planned payment: the advance at signature, the balance after the validated report."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="installments")
    kind = models.CharField(max_length=20, choices=InstallmentKind.choices)
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "échéance"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="unique_installment")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Payment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        "montant versé (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField("versé le")
    reference = models.CharField("référence (mandat, EJ)", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount} le {self.paid_on}"
