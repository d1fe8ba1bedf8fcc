"""Forms of the committee, the agreement, the payments and the reports."""

from django import forms

from citemploi.calls.enums import DecisionOutcome, InstallmentKind
from citemploi.calls.models import CommitteeSession, Report
from citemploi.calls.services.funding import REPORT_FIELDS
from citemploi.www.calls.forms.common import DATE_WIDGET, FrenchDecimalField, money_field


class SessionForm(forms.ModelForm):
    class Meta:
        model = CommitteeSession
        fields = ["title", "held_on", "place", "attendees"]
        widgets = {"held_on": DATE_WIDGET, "attendees": forms.Textarea(attrs={"rows": 3})}


class MinutesForm(forms.ModelForm):
    class Meta:
        model = CommitteeSession
        fields = ["attendees", "minutes"]
        widgets = {
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Décision", choices=DecisionOutcome.choices)
    amount = money_field("Montant attribué (€)")
    conditions = forms.CharField(label="Conditions", required=False, max_length=2000)
    reason = forms.CharField(label="Motif", required=False, max_length=2000)


class ScenarioForm(forms.Form):
    name = forms.CharField(label="Nom du scénario", max_length=120)

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = decisions
        for d in decisions:
            self.fields[f"amount_{d.application_id}"] = money_field(
                f"{d.application.reference} — montant (€)"
            )
            self.fields[f"amount_{d.application_id}"].initial = d.amount

    def amounts(self) -> dict[int, object]:
        return {
            d.application_id: self.cleaned_data.get(f"amount_{d.application_id}")
            for d in self.decisions
            if self.cleaned_data.get(f"amount_{d.application_id}") is not None
        }


class AgreementForm(forms.Form):
    starts_on = forms.DateField(label="Début de l'action", widget=DATE_WIDGET)
    ends_on = forms.DateField(label="Fin de l'action", widget=DATE_WIDGET)


class SignatureForm(forms.Form):
    signed_on = forms.DateField(label="Date de signature", widget=DATE_WIDGET)


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(label="Échéance", choices=InstallmentKind.choices)
    amount = money_field("Montant versé (€)", required=True)
    paid_on = forms.DateField(label="Versé le", widget=DATE_WIDGET)
    reference = forms.CharField(
        label="Référence (mandat, engagement juridique)", required=False, max_length=100
    )


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Report
        fields = REPORT_FIELDS
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6})}
        field_classes = {"coordination_hours": FrenchDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name, field in self.fields.items():
            if name != "narrative" and name != "version":
                field.required = False
        self.fields["narrative"].required = False


class ReportReviewForm(forms.Form):
    action = forms.ChoiceField(
        label="Décision",
        choices=[
            ("validate", "Valider le bilan"),
            ("to_correct", "Demander des corrections"),
            ("close", "Clôturer le dossier"),
            ("report_due", "Déclarer le bilan attendu"),
            ("reimbursement", "Demander un reversement"),
        ],
    )
    reason = forms.CharField(
        label="Motif ou précisions", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = money_field("Montant à reverser (€)")
