from django import forms

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.partners.models import Structure
from citemploi.partnership.enums import AttendanceStatus, CommitteeRole
from citemploi.partnership.models import Committee, CommitteeMember, Meeting
from citemploi.partnership.services.committees import MEETING_FIELDS
from citemploi.www.partnership.forms.common import DATETIME_WIDGET


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = ["kind", "name", "purpose", "is_active"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Compte citemploi",
        empty_label="— Personne sans compte (saisir le nom ci-dessous) —",
        help_text="Les personnes qui ont un rôle dans la cité ; leur adresse e-mail suit leur compte.",
    )
    full_name = forms.CharField(label="Nom et prénom (sans compte)", max_length=200, required=False)
    email = forms.EmailField(label="E-mail (sans compte)", required=False)
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), required=False, label="Structure représentée", empty_label="Aucune"
    )
    function = forms.CharField(label="Fonction", max_length=200, required=False)
    role = forms.ChoiceField(
        label="Rôle dans l'instance", choices=CommitteeRole.choices, initial=CommitteeRole.MEMBER
    )

    def __init__(self, *args, ctx: ActingContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(memberships__cite_id=ctx.cite_id, memberships__is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "id")
        )
        self.fields["structure"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")


class MeetingForm(forms.ModelForm):
    """The meeting, its decisions (one per line) and, when editing, each member's attendance."""

    decisions = forms.CharField(
        label="Décisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Une décision par ligne, dans l'ordre où elles ont été prises.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = list(MEETING_FIELDS)
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "other_attendees": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, members: list[CommitteeMember] | None = None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members or []
        if creating:
            for name in ("minutes", "other_attendees", "cancelled", "version", "decisions"):
                del self.fields[name]
            return
        statuses = (
            {a.member_id: a.status for a in self.instance.attendances.all()} if self.instance.pk else {}
        )
        for member in self.members:
            self.fields[f"attendance_{member.pk}"] = forms.ChoiceField(
                label=f"Présence de {member.display_name}"
                + (f" ({member.structure.name})" if member.structure_id else ""),
                choices=[("", "Non renseignée")] + AttendanceStatus.choices,
                required=False,
                initial=statuses.get(member.pk, ""),
            )
        if self.instance.pk and "decisions" not in self.initial:
            self.initial["decisions"] = "\n".join(d.text for d in self.instance.decisions.all())

    def attendance_fields(self) -> list:
        return [self[f"attendance_{m.pk}"] for m in self.members]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in MEETING_FIELDS if name in self.cleaned_data}

    def attendance(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"attendance_{m.pk}") or "" for m in self.members}

    def decision_lines(self) -> list[str]:
        return [
            line.strip() for line in (self.cleaned_data.get("decisions") or "").splitlines() if line.strip()
        ]
