"""Forms of the instruction: admissibility, reviewers, conflict declaration, scoring."""

from django import forms

from citemploi.calls.models import Criterion
from citemploi.www.calls.forms.common import DATE_WIDGET

ADMISSIBILITY_ACTIONS = [
    ("admissible", "Déclarer recevable"),
    ("to_complete", "Demander des compléments"),
    ("not_admissible", "Déclarer non recevable"),
]


class AdmissibilityForm(forms.Form):
    decision = forms.ChoiceField(label="Décision", choices=ADMISSIBILITY_ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Motif ou précisions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour une demande de compléments ou une non-recevabilité : le porteur le lira.",
    )
    complete_by = forms.DateField(label="À compléter avant le", required=False, widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "to_complete" and not data.get("complete_by"):
            self.add_error("complete_by", "Indiquez la date limite des compléments.")
        return data


class AssignForm(forms.Form):
    reviewer = forms.ChoiceField(label="Instructeur·rice", choices=[])

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewers = {str(u.pk): u for u in reviewers}
        self.fields["reviewer"].choices = [(str(u.pk), f"{u} ({u.email})") for u in reviewers]


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Avez-vous un conflit d'intérêts avec ce dossier ?",
        choices=[
            ("0", "Non : je n'ai aucun lien avec le porteur ni avec ses partenaires"),
            ("1", "Oui : j'ai un lien (membre, salarié·e, élu·e, proche…) avec le porteur ou un partenaire"),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Précisions", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    """A score and a justification per criterion of the call's grid."""

    comment = forms.CharField(
        label="Avis général", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria: list[Criterion], scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            current = scores.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=f"Note : {c.label}",
                choices=[("", "Non noté")]
                + [
                    (str(i), f"{i} — {c.descriptor(i)}" if c.descriptor(i) else str(i))
                    for i in range(c.max_score + 1)
                ],
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(current.score) if current else "",
            )
            self.fields[f"justification_{c.pk}"] = forms.CharField(
                label=f"Justification : {c.label}",
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current.justification if current else "",
            )

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"justification_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"score_{c.pk}"),
                self.cleaned_data.get(f"justification_{c.pk}") or "",
            )
            for c in self.criteria
        }
