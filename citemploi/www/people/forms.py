from django import forms

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Structure
from citemploi.people import enums
from citemploi.people.models import Beneficiary, SensitiveInfo
from citemploi.people.services import BENEFICIARY_FIELDS
from citemploi.territory.models import QPV
from citemploi.www.widgets import FastCheckboxInput, FastDateInput, FastSelect, FastTextInput

DATE_WIDGET = FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BeneficiaryForm(forms.ModelForm):
    responsible_structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), label="Structure référente", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Beneficiary
        fields = BENEFICIARY_FIELDS
        widgets = {
            "birth_date": DATE_WIDGET,
            "qpv_evidence_date": DATE_WIDGET,
            "identified_on": DATE_WIDGET,
        }

    def __init__(self, *args, ctx: ActingContext, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.ctx = ctx
        self.fields["birth_date"].required = True
        self.fields["qpv"].queryset = QPV.objects.filter(cites=ctx.cite_id).order_by("name")
        self.fields["qpv"].empty_label = "Hors QPV / inconnu"
        referents = User.objects.filter(
            memberships__cite_id=ctx.cite_id, memberships__role="referent", memberships__is_active=True
        )
        if ctx.structure_id and ctx.scope("beneficiary.create") != Scope.CITE:
            referents = referents.filter(memberships__structure_id=ctx.structure_id)
        self.fields["referent"].queryset = referents.distinct().order_by("last_name", "first_name")
        if creating and ctx.scope("beneficiary.create") == Scope.CITE:
            self.fields["responsible_structure"].queryset = Structure.objects.filter(
                partnerships__cite_id=ctx.cite_id
            ).order_by("name")
            self.fields["responsible_structure"].required = True
        else:
            del self.fields["responsible_structure"]
        if creating:
            del self.fields["version"]
        for name in ("email",):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in BENEFICIARY_FIELDS if name in self.cleaned_data}


class SensitiveForm(forms.ModelForm):
    class Meta:
        model = SensitiveInfo
        fields = list(SensitiveInfo.SENSITIVE_FIELDS)


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        label="Objet du consentement", choices=enums.ConsentScope.choices, widget=FastSelect
    )
    method = forms.ChoiceField(
        label="Mode de recueil", choices=enums.ConsentMethod.choices, widget=FastSelect
    )
    given_on = forms.DateField(label="Date", widget=DATE_WIDGET)


class FollowUpForm(forms.Form):
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), label="Structure partenaire", widget=FastSelect
    )
    role = forms.CharField(label="Rôle dans le suivi", max_length=150, required=False, widget=FastTextInput)

    def __init__(self, *args, ctx: ActingContext, beneficiary: Beneficiary, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = (
            Structure.objects.filter(partnerships__cite_id=ctx.cite_id)
            .exclude(pk=beneficiary.responsible_structure_id)
            .only("id", "name")
            .order_by("name")
        )


class BeneficiaryFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher (nom, prénom, e-mail)", required=False, widget=FastTextInput)
    qpv = forms.ModelChoiceField(
        queryset=QPV.objects.none(), required=False, label="QPV", empty_label="Tous", widget=FastSelect
    )
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        required=False,
        label="Structure référente",
        empty_label="Toutes",
        widget=FastSelect,
    )
    gender = forms.ChoiceField(
        choices=[("", "Tous")] + enums.Gender.choices, required=False, label="Genre", widget=FastSelect
    )
    age_band = forms.ChoiceField(
        choices=[("", "Toutes")] + enums.AgeBand.choices, required=False, label="Âge", widget=FastSelect
    )
    channel = forms.ChoiceField(
        choices=[("", "Tous")] + enums.ReperageChannel.choices,
        required=False,
        label="Canal de repérage",
        widget=FastSelect,
    )
    invisible = forms.BooleanField(
        required=False, label="Invisibles au repérage seulement", widget=FastCheckboxInput
    )

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        # A select list needs the names only (a QPV's contour can be large).
        self.fields["qpv"].queryset = (
            QPV.objects.filter(cites=ctx.cite_id).only("id", "code", "name").order_by("name")
        )
        # Sensitive structures are not offered as a filter: filtering by them would reveal who they follow.
        self.fields["structure"].queryset = (
            Structure.objects.filter(partnerships__cite_id=ctx.cite_id, sensitive=False)
            .only("id", "name")
            .order_by("name")
        )
