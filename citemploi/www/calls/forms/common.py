"""Widgets and helpers shared by the forms of the calls screens."""

from decimal import Decimal

from django import forms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class FrenchDecimalField(forms.DecimalField):
    """A number typed the French way: « 12 500,50 » (spaces, non-breaking spaces, comma) or « 12500.50 »."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace(",", ".")  # split() also drops non-breaking spaces
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        return value


def money_field(label: str, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return FrenchDecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
