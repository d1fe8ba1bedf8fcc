from typing import Any

from django import forms
from django.conf import settings

from citemploi.core import uploads
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Structure
from citemploi.people.importing import FIELDS, ImportFileError, Overview
from citemploi.people.importing.fields import BY_NAME, REQUIRED, column_label
from citemploi.people.importing.reading import EXTENSIONS, check_size, extension_of, max_bytes

IGNORED = ""


def _size_label() -> str:
    return f"{settings.IMPORT_MAX_BYTES // (1024 * 1024)} Mo"


class UploadForm(forms.Form):
    """Step 1: the file, the structure responsible for the people (coordinators), the duplicates option."""

    file = forms.FileField(
        label="Fichier à importer",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choisissez un fichier .csv ou .xlsx.", "empty": "Le fichier est vide."},
    )
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        label="Structure référente des personnes importées",
        empty_label="Choisissez une structure",
        error_messages={"required": "Choisissez la structure référente des personnes importées."},
    )
    skip_existing = forms.BooleanField(
        label="Ignorer les personnes déjà présentes dans la cité",
        help_text="Sinon, une personne déjà présente (mêmes nom, prénom et date de naissance) est une erreur "
        "qui bloque l'import.",
        required=False,
    )

    def __init__(self, *args: Any, ctx: ActingContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"Format .csv ou .xlsx, {_size_label()} au plus."
        if ctx.scope("beneficiary.import") == Scope.CITE:
            self.fields["structure"].queryset = Structure.objects.filter(
                partnerships__cite_id=ctx.cite_id
            ).order_by("name")
        else:
            del self.fields["structure"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            extension_of(upload.name)
            check_size(upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from exc
        uploads.check_upload(upload, extensions=EXTENSIONS, max_bytes=max_bytes())
        return upload


class MappingForm(forms.Form):
    """Step 2: one select per column of the file, pre-filled by the detection."""

    def __init__(self, *args: Any, overview: Overview, mapping: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overview = overview
        choices = [(IGNORED, "— Ne pas importer cette colonne —")] + [
            (f.name, f"{f.label} (obligatoire)" if f.required else f.label) for f in FIELDS
        ]
        for index, _title in enumerate(overview.columns):
            samples = overview.samples[index]
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=f"Colonne « {column_label(overview.columns, index)} »",
                choices=choices,
                required=False,
                initial=mapping.get(index, IGNORED),
                help_text=("Exemples : " + " ; ".join(samples))
                if samples
                else "Vide dans les premières lignes.",
            )

    @property
    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(len(self.overview.columns))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen: dict[str, int] = {}
        for index in range(len(self.overview.columns)):
            name = cleaned.get(f"col_{index}")
            if not name:
                continue
            if name in chosen:
                self.add_error(
                    f"col_{index}",
                    f"Le champ « {BY_NAME[name].label} » est déjà choisi pour la colonne "
                    f"« {column_label(self.overview.columns, chosen[name])} ».",
                )
            else:
                chosen[name] = index
        missing = [BY_NAME[name].label for name in REQUIRED if name not in chosen]
        if missing:
            raise forms.ValidationError(
                "Choisissez une colonne pour chaque champ obligatoire : " + ", ".join(missing) + "."
            )
        return cleaned

    def mapping(self) -> dict[int, str]:
        return {
            index: self.cleaned_data[f"col_{index}"]
            for index in range(len(self.overview.columns))
            if self.cleaned_data.get(f"col_{index}")
        }
