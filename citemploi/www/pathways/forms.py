from django import forms
from django.db.models import QuerySet

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.offer.referentials import BARRIERS
from citemploi.partners.models import Membership, Structure
from citemploi.pathways import enums, queries
from citemploi.pathways.models import BarrierRecord, Situation
from citemploi.people.enums import ConsentMethod
from citemploi.people.models import Beneficiary

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SituationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Situation) -> str:  # type: ignore[override]
        return obj.label


class BarrierForm(forms.Form):
    """A barrier of the diagnostic. Sensitive barriers and situations are offered only to those who may
    record them (the person's responsible référent)."""

    barrier = forms.ChoiceField(label="Frein")
    situation = SituationField(
        queryset=Situation.objects.none(),
        required=False,
        label="Situation",
        help_text="Le détail du frein dans le référentiel des situations (facultatif).",
        empty_label="Non précisée",
    )
    severity = forms.ChoiceField(
        label="Sévérité", choices=enums.BarrierSeverity.choices, initial=enums.BarrierSeverity.MEDIUM
    )
    source = forms.ChoiceField(label="Source", choices=enums.BarrierSource.choices)
    identified_on = forms.DateField(label="Identifié le", widget=DATE_WIDGET, required=False)
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="N'y écrivez pas de détail de santé, de justice ou de vie privée qui ne sert pas le parcours.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sensitive_allowed: bool, record: BarrierRecord | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        choices = [
            (b.code, f"{b.number}. {b.label}") for b in BARRIERS if sensitive_allowed or not b.sensitive
        ]
        self.fields["barrier"].choices = [("", "Choisissez un frein")] + choices
        situations = queries.situations_for(sensitive=sensitive_allowed)
        if record is not None:
            del self.fields["barrier"]
            del self.fields["identified_on"]
            situations = situations.filter(barrier=record.barrier)
        else:
            del self.fields["version"]
        self.fields["situation"].queryset = situations
        self.fields["situation"].widget.choices = self._grouped_situations(situations)

    def _grouped_situations(self, situations: QuerySet[Situation]) -> list:
        by_barrier: dict[str, list[tuple[int, str]]] = {}
        for s in situations:
            by_barrier.setdefault(s.barrier, []).append((s.pk, s.label))
        groups: list = [("", "Non précisée")]
        for b in BARRIERS:
            if b.code in by_barrier:
                groups.append((f"{b.number}. {b.label}", by_barrier[b.code]))
        return groups

    def clean(self):
        data = super().clean()
        situation = data.get("situation")
        barrier = data.get("barrier") or (self.record.barrier if self.record else None)
        if situation is not None and barrier and situation.barrier != barrier:
            self.add_error("situation", "Cette situation ne correspond pas au frein choisi.")
        return data


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label="Nouvel état", choices=())
    reason = forms.CharField(label="Motif", required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = choices


class ObjectiveForm(forms.Form):
    title = forms.CharField(label="Intitulé de l'objectif", max_length=200)
    barriers = forms.ModelMultipleChoiceField(
        queryset=queries.no_barriers(),
        required=False,
        label="Freins travaillés",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pathway: queries.Pathway, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["barriers"].queryset = queries.barriers_of(pathway).filter(
            state__in=enums.OPEN_BARRIER_STATES
        )
        self.fields["barriers"].label_from_instance = lambda r: (
            r.barrier_label + (f" — {r.situation.label}" if r.situation else "")
        )


class ActionForm(forms.Form):
    objective = forms.ModelChoiceField(
        queryset=queries.no_objectives(), label="Objectif", empty_label="Choisissez un objectif"
    )
    title = forms.CharField(label="Intitulé de l'action", max_length=200)
    owner_membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Porteur (personne)", empty_label="—"
    )
    owner_structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        required=False,
        label="Porteur (structure)",
        empty_label="—",
        help_text="Indiquez une personne, une structure, ou les deux.",
    )
    due_on = forms.DateField(label="Échéance", widget=DATE_WIDGET, required=False)

    def __init__(self, *args, ctx: ActingContext, pathway: queries.Pathway, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = queries.objectives_of(pathway).filter(
            status=enums.PlanObjectiveStatus.OPEN
        )
        self.fields["owner_membership"].queryset = (
            Membership.objects.filter(
                cite_id=ctx.cite_id,
                is_active=True,
                role__in=[Role.REFERENT, Role.PARTNER_MEMBER, Role.COORDINATOR],
            )
            .exclude(structure__sensitive=True)
            .select_related("user", "structure")
            .order_by("user__last_name", "user__first_name", "id")
        )
        self.fields["owner_membership"].label_from_instance = lambda m: (
            f"{m.user} — {m.structure or 'coordination'}"
        )
        self.fields["owner_structure"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")
        if ctx.membership is not None and ctx.membership.structure_id and not self.is_bound:
            self.initial.setdefault("owner_membership", ctx.membership.pk)

    def clean(self):
        data = super().clean()
        if not data.get("owner_membership") and not data.get("owner_structure"):
            self.add_error("owner_structure", "Indiquez qui porte l'action : une personne ou une structure.")
        return data


class HandOverForm(forms.Form):
    to_structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), label="Nouvelle structure référente"
    )
    to_referent = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Nouveau·elle référent·e",
        help_text="Un·e référent·e de la structure choisie (facultatif : la structure pourra le désigner).",
        empty_label="À désigner par la structure",
    )
    reason = forms.CharField(
        label="Motif du passage de relais", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_given_on = forms.DateField(label="Date du consentement de la personne", widget=DATE_WIDGET)
    consent_method = forms.ChoiceField(label="Recueil du consentement", choices=ConsentMethod.choices)
    keep_in_followup = forms.BooleanField(
        label="Garder la structure actuelle dans le groupe de suivi",
        required=False,
        help_text="Elle continue de voir la fiche tant que la personne consent au partage avec les partenaires.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, ctx: ActingContext, beneficiary: Beneficiary, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_structure"].queryset = Structure.objects.filter(
            partnerships__cite_id=ctx.cite_id
        ).order_by("name")
        self.fields["to_referent"].queryset = (
            User.objects.filter(
                memberships__cite_id=ctx.cite_id, memberships__role=Role.REFERENT, memberships__is_active=True
            )
            .distinct()
            .order_by("last_name", "first_name", "id")
        )
        self.fields["consent_given_on"].required = True

    def clean(self):
        data = super().clean()
        structure, referent = data.get("to_structure"), data.get("to_referent")
        if (
            structure is not None
            and referent is not None
            and not Membership.objects.filter(
                user=referent, structure=structure, role=Role.REFERENT, is_active=True
            ).exists()
        ):
            self.add_error("to_referent", "Cette personne n'est pas référente de la structure choisie.")
        return data
