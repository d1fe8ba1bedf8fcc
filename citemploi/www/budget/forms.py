from decimal import Decimal

from django import forms

from citemploi.budget.models import Category


def _amount(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        localize=True,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=help_text,
        error_messages={"min_value": "Le montant ne peut pas être négatif."},
    )


class YearForm(forms.Form):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)


class BudgetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    state_envelope = _amount(
        "Enveloppe de l'État (€)", help_text="100 000 € par an pour une cité labellisée."
    )
    planned_animation = _amount("Prévu — animation territoriale (€)")
    planned_coordination = _amount("Prévu — coordination de parcours (€)")
    planned_engineering = _amount("Prévu — ingénierie dédiée (€)")
    calls_category = forms.ChoiceField(
        label="Catégorie des subventions d'appels à projets",
        choices=Category.choices,
        help_text="Les subventions retenues dans les appels à projets de l'année y sont engagées.",
    )
    note = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CoFundingForm(forms.Form):
    funder = forms.CharField(label="Financeur", max_length=200, help_text="Par exemple : Amiens Métropole.")
    amount = _amount("Montant (€)")
    note = forms.CharField(label="Précision", max_length=300, required=False)


class CommitmentForm(forms.Form):
    label = forms.CharField(
        label="Intitulé", max_length=250, help_text="Par exemple : poste de coordinatrice de parcours (ETP)."
    )
    category = forms.ChoiceField(label="Catégorie", choices=Category.choices)
    amount = _amount("Montant engagé (€)")
    starts_on = forms.DateField(label="Début", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Fin", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "La date de fin précède la date de début.")
        return data


class CommitmentEditForm(CommitmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaymentForm(forms.Form):
    amount = _amount("Montant versé (€)")
    paid_on = forms.DateField(label="Versé le", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="Référence (mandat, facture)", max_length=100, required=False)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("Un versement est d'un montant positif.")
        return amount
