from typing import Any

from django import forms

from citemploi.offer import queries
from citemploi.offer.enums import Public
from citemploi.offer.referentials import BARRIERS, ThemeVocabulary
from citemploi.www.widgets import FastSelect


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.insee_code})"


class QPVChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SearchForm(forms.Form):
    """The public directory's search: every value comes from a closed list (nothing typed is kept)."""

    frein = forms.ChoiceField(label="De quoi avez-vous besoin ?", required=False, widget=FastSelect)
    theme = forms.ChoiceField(
        label="Un thème plus précis (facultatif)",
        required=False,
        help_text="Pour affiner, ou pour un besoin qui n'est pas dans la liste ci-dessus.",
        widget=FastSelect,
    )
    commune = CommuneChoiceField(
        label="Votre commune",
        queryset=queries.directory_communes(),
        to_field_name="insee_code",
        required=False,
        empty_label="Toutes les communes",
        widget=FastSelect,
    )
    quartier = QPVChoiceField(
        label="Ou votre quartier",
        queryset=queries.directory_qpvs(),
        to_field_name="code",
        required=False,
        empty_label="Tous les quartiers",
        help_text="Les quartiers prioritaires de la politique de la ville.",
        widget=FastSelect,
    )
    public = forms.ChoiceField(
        label="Vous êtes",
        required=False,
        choices=[("", "Peu importe")] + [c for c in Public.choices if c[0] != Public.TOUS_PUBLICS],
        widget=FastSelect,
    )

    def __init__(self, *args: Any, vocabulary: ThemeVocabulary, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frein"].choices = [("", "Tous les besoins")] + [
            (b.code, b.public_label) for b in BARRIERS
        ]
        self.fields["theme"].choices = [("", "Tous les thèmes")] + vocabulary.grouped_choices()
        self.fields["commune"].queryset = queries.directory_communes()
        self.fields["quartier"].queryset = queries.directory_qpvs()

    def search(self) -> queries.Search:
        data = self.cleaned_data
        return queries.Search(
            barrier=data.get("frein") or "",
            theme=data.get("theme") or "",
            public=data.get("public") or "",
            commune=data.get("commune"),
            qpv=data.get("quartier"),
        )
