from decimal import Decimal

from django import forms

from citemploi.core import uploads
from citemploi.diagnostic.models import INTEGER_FIELDS, VALUE_FIELDS, QPVReference

MAX_UPLOAD = 2 * 1024 * 1024


def _label(name: str) -> str:
    return str(QPVReference._meta.get_field(name).verbose_name).capitalize()


class ReferenceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source = forms.CharField(
        label="Source",
        max_length=250,
        required=False,
        help_text="Par exemple : INSEE RP 2021, France Travail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in VALUE_FIELDS:
            if name in INTEGER_FIELDS:
                self.fields[name] = forms.IntegerField(
                    label=_label(name), required=False, min_value=0, max_value=10_000_000
                )
            else:
                self.fields[name] = forms.DecimalField(
                    label=_label(name),
                    required=False,
                    localize=True,
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                    max_digits=5,
                    decimal_places=2,
                    help_text="Pourcentage entre 0 et 100, virgule décimale acceptée.",
                )


class ImportForm(forms.Form):
    year = forms.IntegerField(label="Année des indicateurs", min_value=2000, max_value=2100)
    file = forms.FileField(
        label="Fichier CSV",
        help_text="Colonnes code_qpv;source;population;… (voir le guide). 2 Mo au plus.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Le fichier dépasse 2 Mo.")
        uploads.check_upload(upload, extensions=(".csv",), max_bytes=MAX_UPLOAD)
        return upload


class ThresholdsForm(forms.Form):
    """One threshold per audience (the version each was read at, for concurrent edits)."""

    def __init__(self, *args, audiences: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in audiences:
            self.fields[f"threshold_{code}"] = forms.IntegerField(
                label=f"Seuil — {label}",
                min_value=1,
                max_value=1000,
                help_text="Effectifs de 1 à seuil − 1 masqués ; 11 par défaut.",
            )
            self.fields[f"version_{code}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
