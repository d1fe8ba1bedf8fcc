"""Forms of the coordinator's screens on a call: the call, its rules, scoring grid and documents."""

import json
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from citemploi.calls.eligibility.base import REGISTRY
from citemploi.calls.enums import Severity, Theme
from citemploi.calls.models import Call, Criterion, EligibilityRule, RequiredDocument
from citemploi.calls.services.calls import CALL_FIELDS
from citemploi.calls.timing import NonexistentLocalTime, local, paris_datetime
from citemploi.www.calls.forms.common import DATE_WIDGET, TIME_WIDGET, FrenchDecimalField, money_field


class CallForm(forms.ModelForm):
    """A call; opening and closing are typed as a Paris date and time."""

    themes = forms.MultipleChoiceField(
        label="Thématiques", choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    envelope = money_field("Enveloppe (€)", required=True)
    opens_on = forms.DateField(label="Ouverture des dépôts : date", required=False, widget=DATE_WIDGET)
    opens_time = forms.TimeField(label="Ouverture : heure (Paris)", required=False, widget=TIME_WIDGET)
    closes_on = forms.DateField(label="Clôture des dépôts : date", required=False, widget=DATE_WIDGET)
    closes_time = forms.TimeField(
        label="Clôture : heure (Paris)",
        required=False,
        widget=TIME_WIDGET,
        help_text="La minute de clôture est comprise : 23:59 accepte un dépôt à 23:59:59.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Call
        fields = [f for f in CALL_FIELDS if f not in ("opens_at", "closes_at", "envelope", "themes")]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "rules_text": forms.Textarea(attrs={"rows": 8}),
            "eligible_holders": forms.Textarea(attrs={"rows": 2}),
            "eligible_publics": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance
        if call.pk:
            self.fields["themes"].initial = call.themes
            self.fields["version"].initial = call.version
            for name, value in (("opens", call.opens_at), ("closes", call.closes_at)):
                if value:
                    self.fields[f"{name}_on"].initial = local(value).date()
                    self.fields[f"{name}_time"].initial = local(value).time()
        else:
            del self.fields["version"]
            self.fields["closes_time"].initial = "23:59"
            self.fields["opens_time"].initial = "09:00"

    def _instant(self, day_field: str, time_field: str) -> datetime | None:
        day, at = self.cleaned_data.get(day_field), self.cleaned_data.get(time_field)
        if day is None and at is None:
            return None
        if day is None or at is None:
            self.add_error(day_field, "Indiquez la date et l'heure.")
            return None
        try:
            return paris_datetime(day, at)
        except NonexistentLocalTime as exc:
            self.add_error(time_field, str(exc))
            return None

    def clean(self):
        data = super().clean()
        data["opens_at"] = self._instant("opens_on", "opens_time")
        data["closes_at"] = self._instant("closes_on", "closes_time")
        return data

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in CALL_FIELDS if k in self.cleaned_data}
        data["themes"] = list(self.cleaned_data.get("themes") or [])
        return data


class NewCallForm(CallForm):
    with_defaults = forms.BooleanField(
        label="Partir des conditions usuelles (règles, grille de notation et pièces des appels de référence)",
        required=False,
        initial=True,
    )


class RuleTypeForm(forms.Form):
    rule_type = forms.ChoiceField(label="Type de règle", choices=[])
    severity = forms.ChoiceField(label="Gravité", choices=Severity.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_type"].choices = [(code, cls.label) for code, cls in REGISTRY.items()]


def _field_for(name: str, schema: dict, required: bool) -> forms.Field:
    """A form field for one property of a rule type's JSON schema."""
    title = schema.get("title") or name
    help_text = schema.get("description", "")
    kind = schema.get("type")
    options = schema.get("anyOf")
    if options:  # a number written as a string too, or an optional value
        kind = next((o.get("type") for o in options if o.get("type") != "null"), "string")
        if any(o.get("type") == "null" for o in options):
            required = False
    if kind == "boolean":
        return forms.BooleanField(label=title, required=False, help_text=help_text)
    if kind == "integer":
        return forms.IntegerField(label=title, required=required, help_text=help_text)
    if kind == "number":
        return FrenchDecimalField(label=title, required=required, help_text=help_text)
    if kind == "array":
        items = schema.get("items", {})
        choices = items.get("enum")
        if choices:
            labels = dict(_enum_labels(name))
            return forms.MultipleChoiceField(
                label=title,
                required=False,
                choices=[(c, labels.get(c, c)) for c in choices],
                widget=forms.CheckboxSelectMultiple,
                help_text=help_text,
            )
        return forms.CharField(
            label=title,
            required=False,
            help_text=(help_text + " Une valeur par ligne.").strip(),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    return forms.CharField(
        label=title, required=required, help_text=help_text, max_length=schema.get("maxLength", 500)
    )


def _enum_labels(name: str) -> list[tuple[str, str]]:
    from citemploi.calls import budget_lines
    from citemploi.calls.eligibility.catalogue import FileComplete
    from citemploi.partners.enums import StructureKind

    if name == "kinds":
        return [(k, str(v)) for k, v in StructureKind.choices]
    if name == "forbidden_posts":
        return [(p.code, p.label) for p in budget_lines.POSTS]
    if name == "parts":
        return list(FileComplete.FIELDS.items())
    return []


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return root.get("$defs", {}).get(ref.split("/")[-1], {})
    return schema


class RuleForm(forms.Form):
    """The parameters of a rule, with fields generated from its type's JSON schema."""

    severity = forms.ChoiceField(label="Gravité", choices=Severity.choices)
    message = forms.CharField(
        label="Message au porteur",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Affiché quand la règle n'est pas respectée, en plus du détail calculé.",
    )

    def __init__(self, *args, rule_type: str, initial_params: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_cls = REGISTRY[rule_type]
        schema = self.rule_cls.schema()
        required = set(schema.get("required", []))
        self.param_names = []
        params = initial_params if initial_params is not None else self.rule_cls.defaults()
        for name, prop in schema.get("properties", {}).items():
            prop = _resolve(prop, schema)
            if "items" in prop:
                prop = {**prop, "items": _resolve(prop["items"], schema)}
            field = _field_for(name, prop, name in required)
            key = f"param_{name}"
            self.fields[key] = field
            self.param_names.append(name)
            value = params.get(name)
            if isinstance(field, forms.CharField) and isinstance(value, list):
                value = "\n".join(str(v) for v in value)
            self.fields[key].initial = value

    def params(self) -> dict:
        out = {}
        for name in self.param_names:
            value = self.cleaned_data.get(f"param_{name}")
            field = self.fields[f"param_{name}"]
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            if value is not None and not isinstance(value, (bool, int, list, str)):
                value = str(value)
            out[name] = value
        return out

    @property
    def param_fields(self):
        return [self[f"param_{n}"] for n in self.param_names]

    def attach_errors(self, exc: ValidationError) -> None:
        messages = exc.message_dict.get("params", []) if hasattr(exc, "error_dict") else exc.messages
        for message in messages:
            name = message.split(" : ")[0]
            self.add_error(f"param_{name}" if name in self.param_names else None, message)


class CriterionForm(forms.ModelForm):
    descriptors_text = forms.CharField(
        label="Descripteurs des niveaux",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Une ligne par niveau, de la note 0 à la note maximale.",
    )

    class Meta:
        model = Criterion
        fields = ["label", "description", "weight", "max_score", "is_bonus"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"weight": FrenchDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["descriptors_text"].initial = "\n".join(self.instance.descriptors)

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ("label", "description", "weight", "max_score", "is_bonus")}
        data["descriptors"] = [
            line.strip()
            for line in (self.cleaned_data.get("descriptors_text") or "").splitlines()
            if line.strip()
        ]
        return data


class RequiredDocumentForm(forms.ModelForm):
    class Meta:
        model = RequiredDocument
        fields = ["label", "code", "description", "mandatory"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TransitionForm(forms.Form):
    target = forms.ChoiceField(
        choices=[("published", "Publier"), ("closed", "Clore"), ("archived", "Archiver")]
    )
    reason = forms.CharField(required=False, max_length=2000)


def rule_params_json(rule: EligibilityRule) -> str:
    return json.dumps(rule.params, ensure_ascii=False)
