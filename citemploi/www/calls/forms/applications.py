"""Forms of the holder's file, one per section. Each section form can also tell which facts it changes,
so that the rules panel is refreshed live (htmx) from what is typed, before anything is saved."""

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django import forms

from citemploi.calls import budget_lines
from citemploi.calls.eligibility.base import Facts, QPVFact
from citemploi.calls.enums import Theme
from citemploi.calls.models import Application
from citemploi.calls.services.applications import (
    DOCUMENT_TYPES,
    MAX_OBJECTIVES,
    OTHER_DOCUMENT,
    document_max_bytes,
)
from citemploi.core import uploads
from citemploi.partners.models import Structure
from citemploi.territory.models import QPV
from citemploi.www.calls.forms.common import DATE_WIDGET, FrenchDecimalField, money_field

SECTIONS = {
    "porteur": "Porteur et signataire",
    "projet": "Projet",
    "partenaires": "Partenaires",
    "objectifs": "Objectifs",
    "activites": "Activités",
    "budget": "Budget",
    "pieces": "Pièces jointes",
}


class NewApplicationForm(forms.Form):
    title = forms.CharField(
        label="Intitulé de l'action",
        max_length=250,
        help_text="Vous pourrez le modifier ensuite. Certains appels imposent un préfixe, par exemple « CITE EMPLOI- ».",
    )


class SectionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def overrides(self, facts: Facts) -> Facts:
        return facts

    def service_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k in self.cleaned_data}


class HolderForm(SectionForm):
    class Meta:
        model = Application
        fields = [
            "holder_siret",
            "holder_rna",
            "signatory_name",
            "signatory_role",
            "signatory_email",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]

    def overrides(self, facts: Facts) -> Facts:
        d = self.cleaned_data
        filled = dict(facts.filled)
        filled["identification"] = bool(d.get("holder_siret") or d.get("holder_rna"))
        filled["signatory"] = bool(
            (d.get("signatory_name") or "").strip() and (d.get("signatory_role") or "").strip()
        )
        filled["contact"] = bool(
            (d.get("contact_name") or "").strip() and (d.get("contact_email") or d.get("contact_phone"))
        )
        return replace(facts, filled=filled)


class ProjectForm(SectionForm):
    qpvs = forms.ModelMultipleChoiceField(
        queryset=QPV.objects.none(),
        label="QPV où se déroule l'action",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    investment_amount = money_field("Dépenses d'investissement prévues (€)", help_text="0 si aucune.")
    requested_amount = money_field(
        "Subvention demandée à la cité (€)",
        help_text="Le même montant figure en ligne 74 du budget, au nom du financeur.",
    )

    class Meta:
        model = Application
        fields = [
            "title",
            "description",
            "theme",
            "qpvs",
            "places",
            "start_date",
            "end_date",
            "target_people",
            "target_young",
            "target_women",
            "target_seniors",
            "hr_description",
            "hr_fte",
            "hr_volunteers",
            "hires_planned",
            "emplois_francs",
            "investment_amount",
            "requested_amount",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "places": forms.Textarea(attrs={"rows": 2}),
            "hr_description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
        }
        field_classes = {"hr_fte": FrenchDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance.call
        qs = QPV.objects.filter(cites=call.cite_id).order_by("name")
        self.fields["qpvs"].queryset = qs
        self.fields["qpvs"].label_from_instance = lambda q: (
            f"{q.name} ({q.code})" + (" — en veille active" if q.veille_active else "")
        )
        themes = [(t, Theme(t).label) for t in call.themes if t in Theme.values] or list(Theme.choices)
        self.fields["theme"].choices = [("", "Choisissez")] + themes
        self.fields["investment_amount"].required = False
        self.fields["requested_amount"].required = False

    def clean_investment_amount(self):
        return self.cleaned_data.get("investment_amount") or Decimal(0)

    def clean_requested_amount(self):
        return self.cleaned_data.get("requested_amount") or Decimal(0)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in super().service_data().items() if k != "qpvs"}

    def overrides(self, facts: Facts) -> Facts:
        d = self.cleaned_data
        filled = dict(facts.filled)
        filled["description"] = bool((d.get("description") or "").strip())
        filled["publics"] = bool(d.get("target_people"))
        filled["places"] = bool((d.get("places") or "").strip())
        filled["human_resources"] = bool((d.get("hr_description") or "").strip())
        return replace(
            facts,
            title=d.get("title") or "",
            theme=d.get("theme") or "",
            qpvs=tuple(QPVFact(q.code, q.name, q.veille_active) for q in d.get("qpvs") or []),
            start_date=d.get("start_date"),
            end_date=d.get("end_date"),
            investment_amount=d.get("investment_amount") or Decimal(0),
            requested_amount=d.get("requested_amount") or Decimal(0),
            filled=filled,
        )


class PartnerRow(forms.Form):
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), label="Structure de la cité", required=False
    )
    name = forms.CharField(label="ou nom de la structure", max_length=250, required=False)
    role = forms.CharField(label="Rôle dans le projet", max_length=300, required=False)

    def __init__(self, *args, cite_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.filter(partnerships__cite_id=cite_id).order_by(
            "name"
        )
        self.fields["structure"].empty_label = "Hors annuaire de la cité"


class ObjectiveRow(forms.Form):
    title = forms.CharField(label="Objectif", max_length=300, required=False)
    indicator = forms.CharField(label="Indicateur", max_length=200, required=False)
    unit = forms.CharField(label="Unité", max_length=60, required=False)
    target = FrenchDecimalField(label="Cible", required=False, min_value=0, max_digits=12, decimal_places=2)


class ActivityRow(forms.Form):
    title = forms.CharField(label="Activité", max_length=300, required=False)
    description = forms.CharField(label="Déroulé", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    planned_hours = FrenchDecimalField(
        label="Heures prévues", required=False, min_value=0, max_digits=8, decimal_places=2
    )


class RowsForm:
    """A list of rows (a Django formset) with the section form interface."""

    row_class: type[forms.Form]
    extra = 2
    max_rows = 30

    def __init__(self, data=None, *, instance: Application, initial_rows: list[dict], **row_kwargs):
        self.instance = instance
        formset_class = forms.formset_factory(
            self.row_class,
            extra=self.extra,
            max_num=self.max_rows,
            validate_max=True,
            absolute_max=self.max_rows + 10,
        )
        self.formset = formset_class(data, initial=initial_rows, prefix="rows", form_kwargs=row_kwargs)
        self.version_value = (data or {}).get("version") if data is not None else instance.version

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.formset.forms if f.cleaned_data]

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_value) if self.version_value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def non_empty(self) -> list[dict]:
        return [r for r in self.rows() if any(str(v).strip() for v in r.values() if v is not None)]

    def overrides(self, facts: Facts) -> Facts:
        return facts


class PartnersForm(RowsForm):
    row_class = PartnerRow

    def overrides(self, facts: Facts) -> Facts:
        return replace(facts, filled={**facts.filled, "partners": bool(self.non_empty())})


class ObjectivesForm(RowsForm):
    row_class = ObjectiveRow
    extra = 1
    max_rows = MAX_OBJECTIVES

    def overrides(self, facts: Facts) -> Facts:
        return replace(facts, objectives_count=len(self.non_empty()))


class ActivitiesForm(RowsForm):
    row_class = ActivityRow

    def overrides(self, facts: Facts) -> Facts:
        return replace(facts, filled={**facts.filled, "activities": bool(self.non_empty())})


FUNDER_LINES = [line for line in budget_lines.POSTS_BY_CODE["74"].lines]


class FunderRow(forms.Form):
    line = forms.ChoiceField(
        label="Ligne 74", choices=[(line.code, line.label) for line in FUNDER_LINES], required=False
    )
    label = forms.CharField(
        label="Financeur (intitulé exact)",
        max_length=200,
        required=False,
        help_text="Par exemple « 80 – ETAT – POLITIQUE VILLE ».",
    )
    amount = FrenchDecimalField(
        label="Montant (€)", required=False, min_value=0, max_digits=12, decimal_places=2
    )


class BudgetForm:
    """The CERFA 12156 table: one amount per line, and the line 74 entries by funder."""

    def __init__(self, data=None, *, instance: Application):
        self.instance = instance
        self.data = data
        entries = list(instance.budget.all())
        amounts: dict[str, Decimal] = {}
        funders = []
        for e in entries:
            if budget_lines.is_known(e.line) and budget_lines.post_of(e.line).by_funder:
                funders.append({"line": e.line, "label": e.label, "amount": e.amount})
            else:
                amounts[e.line] = amounts.get(e.line, Decimal(0)) + e.amount
        self.lines_form = forms.Form(data)
        for post in budget_lines.POSTS:
            if post.by_funder:
                continue
            for line in post.lines:
                field = FrenchDecimalField(
                    label=f"{line.code} – {line.label}",
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                )
                self.lines_form.fields[f"amount_{line.code}"] = field
                field.initial = amounts.get(line.code)
        formset_class = forms.formset_factory(
            FunderRow, extra=2, max_num=30, validate_max=True, absolute_max=40
        )
        self.funders = formset_class(data, initial=funders, prefix="financeurs")
        self.version_value = data.get("version") if data is not None else instance.version

    def is_valid(self) -> bool:
        return self.lines_form.is_valid() & self.funders.is_valid()

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_value) if self.version_value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def posts(self) -> list[dict]:
        """The posts of the table with their bound fields, for the template."""
        rows = []
        for post in budget_lines.POSTS:
            if post.by_funder:
                rows.append({"post": post, "fields": [], "funders": True})
                continue
            rows.append(
                {
                    "post": post,
                    "fields": [self.lines_form[f"amount_{line.code}"] for line in post.lines],
                    "funders": False,
                }
            )
        return rows

    def entries(self) -> list[dict]:
        out = []
        for post in budget_lines.POSTS:
            if post.by_funder:
                continue
            for line in post.lines:
                value = self.lines_form.cleaned_data.get(f"amount_{line.code}")
                if value:
                    out.append({"line": line.code, "amount": value, "label": ""})
        for f in self.funders.forms:
            d = f.cleaned_data
            if d and (d.get("amount") or (d.get("label") or "").strip()):
                out.append(
                    {
                        "line": d.get("line") or "74etat",
                        "amount": d.get("amount") or 0,
                        "label": d.get("label") or "",
                    }
                )
        return out

    def overrides(self, facts: Facts) -> Facts:
        budget = tuple(
            budget_lines.Entry(e["line"], Decimal(e["amount"]), e["label"])
            for e in self.entries()
            if budget_lines.is_known(e["line"])
        )
        return replace(facts, budget=budget)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Pièce", choices=[])
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX, DOC ou XLS ; 10 Mo au plus.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.odt,.ods,.docx,.xlsx,.doc,.xls"}
        ),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (d.code, f"{d.label}{' (obligatoire)' if d.mandatory else ''}")
            for d in call.required_documents.all()
        ] + [(OTHER_DOCUMENT, "Autre pièce")]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, extensions=DOCUMENT_TYPES, max_bytes=document_max_bytes())
        return upload


class MessageForm(forms.Form):
    body = forms.CharField(label="Votre message", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
