from typing import Any

from django import forms

from citemploi.core.context import ActingContext
from citemploi.offer import queries as offer_queries
from citemploi.offer.models import Service
from citemploi.orientations.enums import OPTIONAL_GROUPS, RefusalReason, Status
from citemploi.orientations.models import OrientationSettings
from citemploi.partners.models import Structure
from citemploi.www.offer.forms import barrier_choices, theme_choices

#: the largest number of services offered at once in the creation form (refine the search for more)
SERVICE_CHOICES_LIMIT = 30


class ListFilterForm(forms.Form):
    etat = forms.ChoiceField(label="État", choices=[("", "Tous")] + Status.choices, required=False)


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label="Nom du service ou de la structure", required=False, max_length=100)
    frein = forms.ChoiceField(label="Frein à lever", required=False)
    theme = forms.ChoiceField(label="Thématique", required=False)
    structure = forms.ModelChoiceField(
        label="Structure", queryset=Structure.objects.none(), required=False, empty_label="Toutes"
    )

    def __init__(self, *args: Any, ctx: ActingContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frein"].choices = barrier_choices("Tous")
        self.fields["theme"].choices = theme_choices(offer_queries.theme_vocabulary(), "Toutes")
        self.fields["structure"].queryset = (
            Structure.objects.filter(partnerships__cite_id=ctx.cite_id)
            .exclude(pk=ctx.structure_id or 0)
            .order_by("name", "id")
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
        }


class OrientationForm(forms.Form):
    service = forms.TypedChoiceField(
        label="Service vers lequel orienter", coerce=int, widget=forms.RadioSelect, choices=[]
    )
    message = forms.CharField(
        label="Motif de l'orientation",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que la structure destinataire doit savoir pour accueillir la personne. N'écrivez ni "
        "information de santé, ni de justice, ni le nom d'une structure sensible qui suit la personne.",
    )
    shared_groups = forms.MultipleChoiceField(
        label="Informations complémentaires partagées",
        choices=[(g.value, g.label) for g in OPTIONAL_GROUPS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="L'identité et les coordonnées sont toujours transmises.",
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.pk, f"{s.name} — {s.structure.name}") for s in services]


class AnswerForm(forms.Form):
    target = forms.ChoiceField(
        choices=[
            (s, s)
            for s in (Status.ACCEPTED, Status.REFUSED, Status.STARTED, Status.COMPLETED, Status.ABANDONED)
        ]
    )
    expected_status = forms.ChoiceField(choices=Status.choices, required=False)
    refusal_reason = forms.ChoiceField(
        label="Motif du refus", choices=[("", "Choisissez")] + RefusalReason.choices, required=False
    )
    details = forms.CharField(
        label="Précisions", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label="Résultat de l'accompagnement",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkAnswerForm(forms.Form):
    target = forms.ChoiceField(choices=[(Status.ACCEPTED, "accepter"), (Status.REFUSED, "refuser")])
    refusal_reason = forms.ChoiceField(
        label="Motif du refus", choices=[("", "Choisissez")] + RefusalReason.choices, required=False
    )
    details = forms.CharField(
        label="Précisions", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    expected_status = forms.ChoiceField(choices=Status.choices, required=False)
    reason = forms.CharField(
        label="Motif du retrait", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OrientationSettings
        fields = ["answer_delay_days", "reminder_days_before"]
