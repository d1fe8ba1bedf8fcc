from django import forms

from citemploi.core.policy import Role
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Partnership, Structure
from citemploi.territory.models import QPV


class StructureForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Structure
        fields = [
            "name",
            "kind",
            "siret",
            "rna",
            "address",
            "commune",
            "email",
            "phone",
            "website",
            "sensitive",
        ]
        field_classes = {"website": forms.URLField}
        widgets = {"website": forms.URLInput}

    website = forms.URLField(label="Site web", required=False, assume_scheme="https")

    def __init__(self, *args, cite_id: int, can_classify: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = self.fields["commune"].queryset.filter(cites=cite_id)
        self.fields["commune"].required = False
        if not can_classify:
            # The kind and the sensitive flag are the coordination's decision.
            del self.fields["kind"]
            del self.fields["sensitive"]


class PartnershipForm(forms.ModelForm):
    qpvs = forms.ModelMultipleChoiceField(
        queryset=QPV.objects.none(),
        required=False,
        label="QPV d'intervention",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partnership
        fields = ["role", "cooperation_format", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, cite_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qpvs"].queryset = QPV.objects.filter(cites=cite_id).order_by("name")
        if self.instance and self.instance.pk:
            self.fields["qpvs"].initial = list(self.instance.qpvs.all())


class StructureFilterForm(forms.Form):
    q = forms.CharField(label="Nom", required=False)
    kind = forms.ChoiceField(label="Type", choices=[("", "Tous")] + StructureKind.choices, required=False)


class MemberForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    role = forms.ChoiceField(label="Rôle", choices=[(r.value, r.label) for r in Role if r != Role.NATIONAL])
