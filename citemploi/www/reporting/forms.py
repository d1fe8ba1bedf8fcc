"""Forms of the indicator screens: the period selector and the questionnaire."""

from datetime import date

from django import forms
from django.utils import timezone

from citemploi.reporting.indicators import Cut, Period, PeriodError
from citemploi.reporting.indicators.base import ordinal

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 366 * 5


def period_choices(today: date) -> list[tuple[str, str]]:
    """The current and past months, quarters and years (most recent first)."""
    choices: list[tuple[str, list[tuple[str, str]]]] = []
    quarters = []
    q = Period.containing("quarter", today)
    for _ in range(8):
        quarters.append((q.token, q.label.capitalize()))
        q = q.previous()
    months = []
    m = Period.containing("month", today)
    for _ in range(13):
        months.append((m.token, m.label.capitalize()))
        m = m.previous()
    years = [(str(y), f"Année {y}") for y in range(today.year, today.year - 4, -1)]
    choices = [("Trimestres", quarters), ("Mois", months), ("Années", years)]
    return choices  # type: ignore[return-value]


class PeriodForm(forms.Form):
    periode = forms.ChoiceField(label="Période", required=False)
    debut = forms.DateField(label="ou du", required=False, widget=DATE_WIDGET)
    fin = forms.DateField(label="au", required=False, widget=DATE_WIDGET)
    ventilation = forms.ChoiceField(label="Ventiler par", required=False)

    def __init__(self, *args, cuts: list[Cut], **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["periode"].choices = period_choices(self.today)
        self.fields["ventilation"].choices = [(c.value if c != Cut.NONE else "", c.label) for c in cuts]

    def clean(self):
        data = super().clean()
        start, end = data.get("debut"), data.get("fin")
        if bool(start) != bool(end):
            raise forms.ValidationError("Indiquez les deux dates de la période libre, ou aucune.")
        if start and end:
            if start > end:
                self.add_error("fin", "La date de fin doit suivre la date de début.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("fin", "La période libre ne peut pas dépasser cinq ans.")
        return data

    def period(self) -> Period:
        default = Period.containing("quarter", self.today)
        if not self.is_bound or not self.is_valid():
            return default
        if self.cleaned_data.get("debut"):
            return Period(self.cleaned_data["debut"], self.cleaned_data["fin"])
        try:
            return Period.parse(self.cleaned_data.get("periode") or default.token)
        except PeriodError:
            return default

    def cut(self) -> Cut:
        if not self.is_bound or not self.is_valid():
            return Cut.NONE
        return Cut(self.cleaned_data.get("ventilation") or Cut.NONE)


class OpenQuestionnaireForm(forms.Form):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    trimestre = forms.TypedChoiceField(
        label="Trimestre", coerce=int, choices=[(i, f"{ordinal(i)} trimestre") for i in range(1, 5)]
    )


class AdjustForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(label="Valeur retenue", max_length=20)
    comment = forms.CharField(
        label="Pourquoi corriger la valeur calculée ?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire. Pas de nom ni de détail sur une personne.",
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
