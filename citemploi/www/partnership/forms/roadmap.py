from django import forms

from citemploi.core.context import ActingContext
from citemploi.partners.models import Structure
from citemploi.partnership.enums import ActionStatus
from citemploi.partnership.models import Indicator, Objective, RoadmapAction
from citemploi.partnership.services.roadmap import ACTION_FIELDS, INDICATOR_FIELDS, OBJECTIVE_FIELDS
from citemploi.www.partnership.forms.common import DATE_WIDGET


def _partner_structures(ctx: ActingContext):
    return Structure.objects.filter(partnerships__cite_id=ctx.cite_id).order_by("name")


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = list(OBJECTIVE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _partner_structures(ctx)
        self.fields["owner"].empty_label = "Coordination de la cité"

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in OBJECTIVE_FIELDS}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        widgets = {"target_date": DATE_WIDGET, "measured_on": DATE_WIDGET}


IndicatorFormSet = forms.inlineformset_factory(
    Objective, Indicator, form=IndicatorForm, fields=list(INDICATOR_FIELDS), extra=1, can_delete=True
)


def indicator_rows(formset) -> list[dict]:
    """The service rows of a valid indicator formset: new, changed and deleted indicators."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        data = {name: form.cleaned_data.get(name) for name in INDICATOR_FIELDS}
        data = {k: ("" if v is None and k in ("unit",) else v) for k, v in data.items()}
        if form.instance.pk is not None:
            data["id"] = form.instance.pk
        data["delete"] = bool(form.cleaned_data.get("DELETE"))
        rows.append(data)
    return rows


class RoadmapActionForm(forms.ModelForm):
    class Meta:
        model = RoadmapAction
        fields = ["objective", *ACTION_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE_WIDGET,
            "due_on": DATE_WIDGET,
        }

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _partner_structures(ctx)
        self.fields["owner"].empty_label = "Coordination de la cité"
        self.fields["objective"].queryset = Objective.objects.filter(cite_id=ctx.cite_id).order_by(
            "stake", "position", "id"
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ["objective", *ACTION_FIELDS]}


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="Nouveau statut", choices=[], widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour suspendre, abandonner ou rouvrir une action.",
    )

    def __init__(self, *args, moves: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, ActionStatus(s).label) for s in moves]
