from django import forms

from citemploi.tracking import enums
from citemploi.tracking.models import JournalEntry, Outcome, TrackingSettings
from citemploi.tracking.services import MAX_DAYS_WITHOUT_CONTACT, MIN_DAYS_WITHOUT_CONTACT

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = JournalEntry
        fields = ["kind", "occurred_on", "text", "private_note"]
        widgets = {
            "occurred_on": DATE_WIDGET,
            "text": forms.Textarea(attrs={"rows": 5}),
            "private_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "text": "Visible par les personnes qui suivent ce parcours. Pas de détail de santé, de justice, "
            "de religion, d'orientation sexuelle, d'origine ni d'opinion.",
            "private_note": "Visible par vous seul·e : ni la coordination, ni les partenaires, ni les exports "
            "ne la montrent.",
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["type", "outcome_on", "employer", "contract_type", "contract_months", "weekly_hours"]
        widgets = {"outcome_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_type"].choices = [("", "Sans objet ou non renseigné")] + list(
            enums.ContractType.choices
        )
        self.fields["contract_months"].min_value = 1
        self.fields["weekly_hours"].help_text = "Par exemple 35 ou 24,5."


class CheckForm(forms.Form):
    recorded_on = forms.DateField(label="Date du point", widget=DATE_WIDGET)
    situation = forms.ChoiceField(label="Situation de la personne", choices=enums.CheckSituation.choices)
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TrackingSettings
        fields = ["days_without_contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["days_without_contact"]
        field.min_value = MIN_DAYS_WITHOUT_CONTACT
        field.max_value = MAX_DAYS_WITHOUT_CONTACT
        field.widget.attrs.update({"min": MIN_DAYS_WITHOUT_CONTACT, "max": MAX_DAYS_WITHOUT_CONTACT})
