from django import forms

from citemploi.cohorts import services
from citemploi.cohorts.enums import CommissionOutcome, ExitReason, NotRetainedReason, Scheme
from citemploi.cohorts.models import Cohort, CommissionSession
from citemploi.cohorts.queries import member_label
from citemploi.core.context import ActingContext
from citemploi.partners.models import Structure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CohortForm(forms.ModelForm):
    schemes = forms.MultipleChoiceField(
        label="Dispositifs", choices=Scheme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    referent_structures = forms.ModelMultipleChoiceField(
        label="Structures référentes",
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les référent·es de ces structures peuvent proposer des personnes.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Cohort
        fields = services.COHORT_FIELDS
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "target_public": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent_structures"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")
        self.fields["criteria_text"].widget.attrs["rows"] = 3
        self.fields["age_band"].choices = [("", "Toutes")] + list(self.fields["age_band"].choices)[1:]
        self.fields["gender"].choices = [("", "Tous")] + list(self.fields["gender"].choices)[1:]
        self.fields["followed_by_kind"].choices = [("", "Indifférent")] + list(
            self.fields["followed_by_kind"].choices
        )[1:]
        if self.instance.pk:
            self.fields["referent_structures"].initial = list(self.instance.referent_structures.all())
        else:
            del self.fields["version"]

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin doit suivre la date de début.")
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.COHORT_FIELDS}


class PeriodForm(forms.Form):
    du = forms.DateField(label="Du", required=False, widget=DATE_WIDGET)
    au = forms.DateField(label="Au", required=False, widget=DATE_WIDGET)


class ProposeForm(forms.Form):
    """Propose a person (from the cohort page: choose the person; from the file: choose the cohort)."""

    cohort = forms.ModelChoiceField(label="Cohorte", queryset=Cohort.objects.none())
    beneficiary: forms.ModelChoiceField = forms.ModelChoiceField(label="Personne", queryset=None)
    reason = forms.CharField(
        label="Motif de la proposition",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Ce qui sera lu en commission : restez factuel·le, sans donnée de santé ni de justice.",
    )

    def __init__(self, *args, cohorts=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cohorts is None:
            del self.fields["cohort"]
        else:
            self.fields["cohort"].queryset = cohorts
        if people is None:
            del self.fields["beneficiary"]
        else:
            self.fields["beneficiary"].queryset = people
            self.fields["beneficiary"].label_from_instance = lambda b: f"{b.last_name.upper()} {b.first_name}"


class MembershipChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001 - a Membership
        return f"{member_label(obj)} — {obj.get_role_display()}"


class ChairChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001 - a Membership
        return f"{member_label(obj)} — {obj.get_role_display()}"


class AgendaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001 - a CohortMember
        b = obj.beneficiary
        return (
            f"{b.first_name} {b.last_name[:1].upper()}. — {obj.cohort.name} — proposé·e par "
            f"{obj.proposing_structure.name} ({obj.get_state_display().lower()})"
        )


class SessionForm(forms.ModelForm):
    cohorts = forms.ModelMultipleChoiceField(
        label="Cohortes examinées", queryset=Cohort.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    convened = MembershipChoice(
        label="Personnes convoquées", queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    present = MembershipChoice(
        label="Personnes présentes", queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    chair = ChairChoice(
        label="Présidence de séance", queryset=None, required=False, empty_label="La coordination"
    )
    agenda = AgendaChoice(
        label="Ordre du jour (personnes proposées ou en attente)",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CommissionSession
        fields = ["title", "held_on", "place"]
        widgets = {"held_on": DATE_WIDGET}

    def __init__(self, *args, ctx: ActingContext, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        memberships = services.convenable_memberships(ctx.cite_id)
        self.fields["cohorts"].queryset = cohorts
        self.fields["convened"].queryset = memberships
        self.fields["present"].queryset = memberships
        self.fields["chair"].queryset = memberships
        session = self.instance
        candidates = services.agenda_candidates(ctx.cite_id, session if session.pk else None)
        if session.pk:
            attendees = list(session.attendees.all())
            self.fields["cohorts"].initial = list(session.cohorts.all())
            self.fields["convened"].initial = [a.membership_id for a in attendees]
            self.fields["present"].initial = [a.membership_id for a in attendees if a.present]
            self.fields["chair"].initial = session.chair_id
            self.fields["agenda"].initial = list(session.agenda.values_list("member_id", flat=True))
        else:
            del self.fields["version"]
        self.fields["agenda"].queryset = candidates


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Décision", choices=CommissionOutcome.choices, widget=forms.RadioSelect)
    not_retained_reason = forms.ChoiceField(
        label="Motif de non-retenue",
        choices=[("", "—")] + list(NotRetainedReason.choices),
        required=False,
    )
    reason = forms.CharField(label="Motif ou commentaire", max_length=2000, required=False)


class ExitForm(forms.Form):
    reason = forms.ChoiceField(label="Motif de sortie", choices=[("", "Choisir")] + list(ExitReason.choices))
    details = forms.CharField(
        label="Précisions", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exited_on = forms.DateField(label="Date de sortie", widget=DATE_WIDGET)
