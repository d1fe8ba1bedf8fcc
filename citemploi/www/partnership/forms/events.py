from django import forms

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Structure
from citemploi.partnership.enums import EventKind
from citemploi.partnership.models import Employer, Event, RoadmapAction
from citemploi.partnership.services.events import EVENT_FIELDS
from citemploi.people.enums import Gender
from citemploi.people.models import Beneficiary
from citemploi.territory.models import QPV
from citemploi.www.partnership.forms.common import DATE_WIDGET

COUNT_FIELDS = ["counted_total", "counted_young", "counted_women", "counted_seniors", "counted_qpv"]
RESULT_FIELDS = ["found_count", "hooked_count", "employed_count"]
HOURS_FIELDS = ["hours_delivered", "coordination_hours"]


class EventForm(forms.ModelForm):
    organisers = forms.ModelMultipleChoiceField(
        queryset=Structure.objects.none(),
        label="Structures organisatrices",
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Structure.objects.none(),
        required=False,
        label="Structures partenaires",
        widget=forms.CheckboxSelectMultiple,
    )
    employers = forms.ModelMultipleChoiceField(
        queryset=Employer.objects.none(),
        required=False,
        label="Entreprises associées",
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {"date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "counted_total": "Les personnes comptées sans être inscrites nominativement. Les participant·es nommé·es "
            "s'y ajoutent : ne les comptez pas ici.",
        }

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        structures = Structure.objects.filter(partnerships__cite_id=ctx.cite_id).order_by("name")
        self.fields["organisers"].queryset = structures
        self.fields["partners"].queryset = structures
        self.fields["employers"].queryset = Employer.objects.filter(cite_id=ctx.cite_id).order_by("name")
        self.fields["qpv"].queryset = QPV.objects.filter(cites=ctx.cite_id).order_by("name")
        self.fields["qpv"].empty_label = "Hors QPV"
        self.fields["roadmap_action"].queryset = (
            RoadmapAction.objects.filter(objective__cite_id=ctx.cite_id)
            .select_related("objective")
            .order_by("objective__stake", "objective__position", "id")
        )
        self.fields["roadmap_action"].empty_label = "Aucune"
        if self.instance.pk:
            links = list(self.instance.structure_links.all())
            self.initial.setdefault(
                "organisers", [link.structure_id for link in links if link.role == "organiser"]
            )
            self.initial.setdefault(
                "partners", [link.structure_id for link in links if link.role == "partner"]
            )
            self.initial.setdefault("employers", list(self.instance.employers.values_list("pk", flat=True)))
            self.initial.setdefault("version", self.instance.version)
        elif ctx.scope("event.record") == Scope.OWN_STRUCTURE and ctx.structure_id:
            self.initial.setdefault("organisers", [ctx.structure_id])
        for name in COUNT_FIELDS + RESULT_FIELDS:
            self.fields[name].required = False
            self.fields[name].widget.attrs.update({"min": "0", "inputmode": "numeric"})
        for name in HOURS_FIELDS:
            # French decimals ("6,5") are accepted and shown with a comma.
            self.fields[name].required = False
            self.fields[name].localize = True
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal"})
            self.fields[name].widget.is_localized = True

    def clean(self):
        data = super().clean()
        # An empty figure means none: nobody counted, no hour.
        for name in COUNT_FIELDS + RESULT_FIELDS + HOURS_FIELDS:
            if name in data and data[name] is None:
                data[name] = 0
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EVENT_FIELDS}


class EventFilterForm(forms.Form):
    q = forms.CharField(label="Intitulé", required=False)
    kind = forms.ChoiceField(
        label="Type d'action", choices=[("", "Tous")] + EventKind.choices, required=False
    )
    qpv = forms.ModelChoiceField(queryset=QPV.objects.none(), required=False, label="QPV", empty_label="Tous")
    date_from = forms.DateField(label="Du", required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label="Au", required=False, widget=DATE_WIDGET)
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), required=False, label="Structure", empty_label="Toutes"
    )

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qpv"].queryset = QPV.objects.filter(cites=ctx.cite_id).order_by("name")
        self.fields["structure"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "La fin de la période doit suivre son début.")
        return data


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher une personne suivie (nom, prénom, e-mail)", max_length=200)


class AddParticipantForm(forms.Form):
    beneficiary = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


NEW_PERSON_FIELDS = [
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "qpv",
    "ft_registered",
    "spe_followed",
    "referent",
]


class NewParticipantForm(forms.ModelForm):
    """The few facts noted about a person met at an event; their référent completes the file later."""

    responsible_structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        label="Structure référente",
        required=False,
        help_text="La structure qui prendra la personne en charge.",
    )

    class Meta:
        model = Beneficiary
        fields = list(NEW_PERSON_FIELDS)
        widgets = {"birth_date": DATE_WIDGET}

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = True
        self.fields["gender"].initial = Gender.OTHER
        self.fields["qpv"].queryset = QPV.objects.filter(cites=ctx.cite_id).order_by("name")
        self.fields["qpv"].empty_label = "Hors QPV / inconnu"
        referents = User.objects.filter(
            memberships__cite_id=ctx.cite_id, memberships__role="referent", memberships__is_active=True
        )
        if ctx.scope("beneficiary.create") == Scope.CITE:
            self.fields["responsible_structure"].queryset = Structure.objects.filter(
                partnerships__cite_id=ctx.cite_id, sensitive=False
            ).order_by("name")
            self.fields["responsible_structure"].required = True
        else:
            del self.fields["responsible_structure"]
            referents = referents.filter(memberships__structure_id=ctx.structure_id)
        self.fields["referent"].queryset = referents.distinct().order_by("last_name", "first_name")
        self.fields["referent"].required = False
        self.fields["referent"].empty_label = "À désigner par la structure"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in NEW_PERSON_FIELDS if name in self.cleaned_data}
