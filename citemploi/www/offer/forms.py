from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from citemploi.core import uploads
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.offer import queries
from citemploi.offer.enums import (
    Fee,
    InsertionStep,
    Mobiliser,
    ModeAccueil,
    ModeMobilisation,
    Public,
    ServiceNature,
    ServiceType,
)
from citemploi.offer.importing import EXTENSIONS
from citemploi.offer.models import Service
from citemploi.offer.referentials import BARRIERS, ThemeVocabulary, category_of
from citemploi.offer.services import SERVICE_FIELDS, clean_areas
from citemploi.partners.models import Structure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", "Tous"), ("oui", "À actualiser (plus de 6 mois)"), ("non", "À jour")]


def barrier_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(b.code, f"{b.number}. {b.label}") for b in BARRIERS]


def theme_choices(vocabulary: ThemeVocabulary, empty: str) -> list[Any]:
    return [("", empty)] + [(group, options) for group, options in vocabulary.grouped_choices()]


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label="Nom du service ou de la structure", required=False, max_length=100)
    frein = forms.ChoiceField(label="Frein levé", required=False)
    theme = forms.ChoiceField(label="Thématique", required=False)
    structure = forms.ModelChoiceField(
        label="Structure", queryset=Structure.objects.none(), required=False, empty_label="Toutes"
    )
    etape = forms.ChoiceField(
        label="Étape du parcours", choices=[("", "Toutes")] + InsertionStep.choices, required=False
    )
    nature = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes")] + ServiceNature.choices, required=False
    )
    a_actualiser = forms.ChoiceField(label="Fraîcheur", choices=YES_NO, required=False)

    def __init__(self, *args: Any, ctx: ActingContext, vocabulary: ThemeVocabulary, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frein"].choices = barrier_choices("Tous")
        self.fields["theme"].choices = theme_choices(vocabulary, "Toutes")
        self.fields["structure"].queryset = (
            Structure.objects.filter(services__in=queries.services_for(ctx)).distinct().order_by("name", "id")
        )

    def params(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q"),
            "barrier": data.get("frein"),
            "theme": data.get("theme"),
            "structure": data.get("structure"),
            "step": data.get("etape"),
            "nature": data.get("nature"),
            "stale": data.get("a_actualiser") or None,
        }


class ServiceForm(forms.ModelForm):
    """A service: what it is, for whom and where, how to mobilise it, its capacity and dates."""

    structure = forms.ModelChoiceField(
        label="Structure qui propose le service", queryset=Structure.objects.none(), empty_label=None
    )
    themes = forms.MultipleChoiceField(
        label="Thématiques (data·inclusion)", required=False, widget=forms.CheckboxSelectMultiple
    )
    publics = forms.MultipleChoiceField(
        label="Publics", required=False, choices=Public.choices, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.CharField(
        label="Territoire desservi",
        required=False,
        help_text="Codes officiels séparés par des virgules : commune (code INSEE, ex. 80021), département "
        "(ex. 80), intercommunalité (SIREN de l'EPCI, 9 chiffres), ou « france ». Vide : le territoire "
        "des cités dont la structure est partenaire.",
    )
    mobilisable_par = forms.MultipleChoiceField(
        label="Qui peut demander le service",
        required=False,
        choices=Mobiliser.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    modes_mobilisation = forms.MultipleChoiceField(
        label="Comment le demander",
        required=False,
        choices=ModeMobilisation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    modes_accueil = forms.MultipleChoiceField(
        label="Accueil", required=False, choices=ModeAccueil.choices, widget=forms.CheckboxSelectMultiple
    )
    mobilisation_link = forms.URLField(
        label="Lien de mobilisation (formulaire en ligne)",
        required=False,
        assume_scheme="https",
        max_length=2083,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Service
        fields = [
            f for f in SERVICE_FIELDS if f not in ("mobilisable_par", "modes_mobilisation", "modes_accueil")
        ]
        widgets = {
            "opens_on": DATE_WIDGET,
            "valid_until": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 5}),
            "access_conditions": forms.Textarea(attrs={"rows": 2}),
            "publics_details": forms.Textarea(attrs={"rows": 2}),
            "mobilisation_details": forms.Textarea(attrs={"rows": 2}),
            "fees_details": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "prescribers": "Par exemple : conseiller·ère France Travail, Mission locale, référent·e RSA.",
            "capacity": "Nombre de places disponibles (laisser vide si sans objet).",
            "opening_hours": "Par exemple : du lundi au vendredi, 9 h – 12 h.",
        }

    def __init__(
        self,
        *args: Any,
        ctx: ActingContext,
        vocabulary: ThemeVocabulary,
        action: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.vocabulary = vocabulary
        choices = [option for _, options in vocabulary.grouped_choices() for option in options]
        theme_values = {code for code, _ in choices}
        instance = self.instance if self.instance.pk else None
        if instance is not None:
            current = [t.code for t in instance.themes.all()]
            # A code kept from an import that the loaded referential no longer lists stays choosable.
            choices += [(code, vocabulary.label(code)) for code in current if code not in theme_values]
            self.initial.setdefault("themes", current)
            self.initial.setdefault("publics", [p.code for p in instance.publics.all()])
            self.initial.setdefault(
                "areas", ", ".join("france" if a.kind == "france" else a.code for a in instance.areas.all())
            )
            for name in ("mobilisable_par", "modes_mobilisation", "modes_accueil"):
                self.initial.setdefault(name, list(getattr(instance, name)))
            self.initial.setdefault("version", instance.version)
        self.fields["themes"].choices = choices
        self.fields["structure"].queryset = queries.structures_for(ctx, action)
        if instance is not None:
            self.initial.setdefault("structure", instance.structure_id)
        if ctx.scope(action) != Scope.CITE:
            # Members manage their own structure's services: nothing to choose.
            del self.fields["structure"]
        self.fields["nature"].choices = ServiceNature.choices
        self.fields["step"].choices = [("", "Non précisée")] + InsertionStep.choices
        self.fields["type"].choices = [("", "Non précisé")] + ServiceType.choices
        self.fields["fees"].choices = [("", "Non précisé")] + Fee.choices
        self.fields[
            "description"
        ].help_text = "Des phrases courtes et simples : elle est lue par les habitants."

    def theme_groups(self) -> list[tuple[str, list[Any]]]:
        """The theme checkboxes, grouped by category for the template."""
        labels = self.vocabulary.categories
        groups: dict[str, list[Any]] = {}
        for widget in self["themes"]:
            groups.setdefault(category_of(str(widget.data["value"])), []).append(widget)
        return [(labels.get(category, category), widgets) for category, widgets in groups.items()]

    def clean_areas(self) -> list[str]:
        raw = self.cleaned_data.get("areas") or ""
        codes = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        try:
            clean_areas(codes)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["areas"]) from exc
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, until = cleaned.get("opens_on"), cleaned.get("valid_until")
        if opens and until and until < opens:
            self.add_error("valid_until", "La date de fin de validité précède la date d'ouverture.")
        return cleaned

    def _post_clean(self) -> None:
        # The service layer validates the model (with the acting context); the form checks its fields only.
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS if name in self.cleaned_data}


class ImportForm(forms.Form):
    services_file = forms.FileField(
        label="Fichier des services",
        help_text="Format data·inclusion v1, .json ou .csv.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv"}),
        error_messages={"required": "Choisissez le fichier des services (.json ou .csv)."},
    )
    structures_file = forms.FileField(
        label="Fichier des structures (facultatif)",
        help_text="Nécessaire quand les services sont ceux de structures que la cité ne connaît pas encore.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv"}),
    )
    structure = forms.ModelChoiceField(
        label="Rattacher tous les services à une structure (facultatif)",
        queryset=Structure.objects.none(),
        required=False,
        empty_label="Non : la structure que donne le fichier",
    )

    def __init__(self, *args: Any, ctx: ActingContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ctx.scope("service.import") == Scope.CITE:
            self.fields["structure"].queryset = queries.structures_for(ctx, "service.import")
        else:
            del self.fields["structure"]

    def _check(self, name: str) -> Any:
        upload = self.cleaned_data.get(name)
        if upload and not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError("Format non reconnu : un fichier .json ou .csv est attendu.")
        if upload:
            uploads.check_upload(upload, extensions=EXTENSIONS, max_bytes=settings.IMPORT_MAX_BYTES)
        return upload

    def clean_services_file(self) -> Any:
        return self._check("services_file")

    def clean_structures_file(self) -> Any:
        return self._check("structures_file")


class PeriodForm(forms.Form):
    depuis = forms.DateField(label="Depuis le", required=False, widget=DATE_WIDGET)
    jusqu_au = forms.DateField(label="Jusqu'au", required=False, widget=DATE_WIDGET)
