from django import forms

from citemploi.core.context import ActingContext
from citemploi.partners.models import Structure
from citemploi.partnership.enums import EmployerOfferKind, EngagementFrame
from citemploi.partnership.models import Employer, EmployerContact, EmployerOffer
from citemploi.partnership.services.employers import CONTACT_FIELDS, EMPLOYER_FIELDS
from citemploi.territory.models import Commune
from citemploi.www.partnership.forms.common import DATE_WIDGET


class EmployerForm(forms.ModelForm):
    engagements = forms.MultipleChoiceField(
        label="Engagements",
        choices=EngagementFrame.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label="Site web", required=False, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Employer
        fields = list(EMPLOYER_FIELDS)
        widgets = {"engaged_since": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(cites=ctx.cite_id).order_by("name")
        self.fields["structure"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")
        self.fields["structure"].empty_label = "Aucune"
        if self.instance.pk:
            self.initial.setdefault(
                "engagements", list(self.instance.engagements.values_list("frame", flat=True))
            )
            self.initial.setdefault("version", self.instance.version)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EMPLOYER_FIELDS}


class OfferForm(forms.ModelForm):
    class Meta:
        model = EmployerOffer
        fields = ["kind", "details", "places"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = list(CONTACT_FIELDS)


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label="Nom", required=False)
    frame = forms.ChoiceField(
        label="Engagement", choices=[("", "Tous")] + EngagementFrame.choices, required=False
    )
    offer = forms.ChoiceField(
        label="Propose", choices=[("", "Toutes propositions")] + EmployerOfferKind.choices, required=False
    )
