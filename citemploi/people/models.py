"""Personal data of the people followed by a cité.

Reads of these models outside this package go through the access helpers of `queries.py`;
writes go through `services.py`. A test forbids `Beneficiary.objects` in `www/` and `api/`.
"""

from datetime import date

from django.conf import settings
from django.db import models

from citemploi.partners.models import Structure
from citemploi.people import enums
from citemploi.territory.models import QPV, Cite


def age_band_on(birth_date: date | None, on: date) -> str | None:
    """Age band on a given date: under 26 'jeunes', 26–49, 50 and over 'seniors'."""
    if birth_date is None:
        return None
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 26:
        return enums.AgeBand.YOUNG
    if age < 50:
        return enums.AgeBand.MIDDLE
    return enums.AgeBand.SENIOR


class Beneficiary(models.Model):
    cite = models.ForeignKey(Cite, on_delete=models.PROTECT, related_name="beneficiaries")
    # Identity (minimal)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    identity_key = models.CharField(max_length=400, db_index=True, editable=False)
    gender = models.CharField("genre", max_length=1, choices=enums.Gender.choices, default=enums.Gender.OTHER)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    # Residence and its evidence
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=150, blank=True)
    qpv = models.ForeignKey(
        QPV, on_delete=models.PROTECT, null=True, blank=True, related_name="residents", verbose_name="QPV"
    )
    qpv_evidence_method = models.CharField(
        "preuve de résidence QPV",
        max_length=20,
        choices=enums.QPVEvidenceMethod.choices,
        default=enums.QPVEvidenceMethod.UNKNOWN,
    )
    qpv_evidence_date = models.DateField("date de vérification QPV", null=True, blank=True)
    qpv_list_version = models.CharField("version de la liste QPV", max_length=10, blank=True)
    # Situation
    education_level = models.CharField(
        "niveau de formation",
        max_length=10,
        choices=enums.EducationLevel.choices,
        default=enums.EducationLevel.UNKNOWN,
    )
    employment_status = models.CharField(
        "situation professionnelle",
        max_length=30,
        choices=enums.EmploymentStatus.choices,
        default=enums.EmploymentStatus.UNKNOWN,
    )
    ft_registered = models.BooleanField("inscrit·e à France Travail", default=False)
    spe_followed = models.BooleanField(
        "suivi·e par le service public de l'emploi",
        default=False,
        help_text="France Travail, Mission locale ou Cap emploi.",
    )
    invisible_at_identification = models.BooleanField(
        "invisible au repérage",
        default=False,
        editable=False,
        help_text="Ni inscrit·e ni suivi·e par une structure du SPE quand la fiche a été créée.",
    )
    rsa = models.BooleanField("RSA", default=False)
    ass = models.BooleanField("ASS", default=False)
    cej = models.BooleanField("Contrat d'engagement jeune (CEJ)", default=False)
    single_parent = models.BooleanField("famille monoparentale", default=False)
    children_count = models.PositiveSmallIntegerField("nombre d'enfants à charge", default=0)
    french_level = models.CharField(
        "niveau de français",
        max_length=10,
        choices=enums.FrenchLevel.choices,
        default=enums.FrenchLevel.UNKNOWN,
    )
    digital_autonomy = models.CharField(
        "autonomie numérique",
        max_length=12,
        choices=enums.DigitalAutonomy.choices,
        default=enums.DigitalAutonomy.UNKNOWN,
    )
    driving_licence = models.BooleanField("permis de conduire", default=False)
    has_vehicle = models.BooleanField("véhicule", default=False)
    reperage_channel = models.CharField(
        "canal de repérage",
        max_length=20,
        choices=enums.ReperageChannel.choices,
        default=enums.ReperageChannel.OTHER,
    )
    # Responsibility
    responsible_structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name="structure référente",
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="beneficiaries",
        verbose_name="référent·e",
    )
    identified_on = models.DateField("date de repérage", default=date.today)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: optimistic concurrency: an edit based on an older version is refused
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "personne accompagnée"
        verbose_name_plural = "personnes accompagnées"
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["cite", "identity_key"]),
            models.Index(fields=["cite", "last_name", "first_name", "id"]),
            models.Index(fields=["responsible_structure", "last_name", "first_name", "id"]),
            models.Index(fields=["cite", "identified_on"]),
            # the list's count (a cité's people, by gender or not) read from the index alone, not row by row, and
            # a page of the list by gender read in name order from it (with the gender last, the planner sorted
            # all the cité's women or men for every page)
            models.Index(fields=["cite", "anonymised_at", "gender", "last_name", "first_name", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age_band(self) -> str | None:
        return age_band_on(self.birth_date, date.today())

    def get_age_band_display(self) -> str:
        band = self.age_band
        return enums.AgeBand(band).label if band else "Non renseigné"


class SensitiveInfo(models.Model):
    """Sensitive attributes (health, disability, justice, addiction), shown to the responsible référent only.

    Kept in their own table so that no list or export query can load them by accident.
    """

    beneficiary = models.OneToOneField(Beneficiary, on_delete=models.CASCADE, related_name="sensitive")
    rqth = models.BooleanField("RQTH (reconnaissance de travailleur handicapé)", default=False)
    aah = models.BooleanField("AAH (allocation aux adultes handicapés)", default=False)
    health_barrier = models.BooleanField("problème de santé freinant l'emploi", default=False)
    justice_followup = models.BooleanField("suivi judiciaire (SPIP, PJJ)", default=False)
    addiction_care = models.BooleanField("suivi en addictologie", default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    SENSITIVE_FIELDS = ("rqth", "aah", "health_barrier", "justice_followup", "addiction_care")

    def __str__(self) -> str:
        return f"informations sensibles #{self.beneficiary_id}"


class Consent(models.Model):
    """A consent record: given on a date, by whom it was recorded, for a scope; may be withdrawn."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField("objet", max_length=20, choices=enums.ConsentScope.choices)
    method = models.CharField("recueil", max_length=12, choices=enums.ConsentMethod.choices)
    given_on = models.DateField("date du consentement")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField("date de retrait", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["beneficiary", "scope"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.given_on})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class FollowUpMember(models.Model):
    """A partner structure (and optionally a person of it) in a beneficiary's follow-up group."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="followup_members")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="followups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    role = models.CharField("rôle dans le suivi", max_length=150, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        indexes = [
            models.Index(fields=["structure", "ended_at"]),
            # indicators: whether a person joined a structure's follow-up group in a period, from the index
            models.Index(fields=["beneficiary", "added_at", "structure"]),
        ]

    def __str__(self) -> str:
        return f"groupe de suivi #{self.beneficiary_id}: {self.structure_id}"


class RetentionRun(models.Model):
    """The report of one run of the retention job (or of its dry run) for one cité: counts only, no names."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(auto_now_add=True)
    #: the day the rules were applied on
    as_of = models.DateField("appliquée au")
    dry_run = models.BooleanField("simulation", default=False)
    retention_months = models.PositiveSmallIntegerField("durée de conservation après sortie (mois)")
    declined_delay_months = models.PositiveSmallIntegerField(
        "délai avant suppression des non-retenu·es (mois)"
    )
    anonymised = models.PositiveIntegerField("personnes anonymisées", default=0)
    deleted = models.PositiveIntegerField("personnes supprimées", default=0)
    via = models.CharField(max_length=10, default="task")

    class Meta:
        verbose_name = "passage de la conservation des données"
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"conservation {self.cite_id} au {self.as_of}"


class ErasureRequest(models.Model):
    """A person's file erased on request: who erased it, why, on what legal basis (no personal data kept)."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    #: the erased person's identifier, so that the audit log's rows about them can be matched
    beneficiary_id = models.BigIntegerField()
    legal_basis = models.CharField("fondement", max_length=30, choices=enums.ErasureBasis.choices)
    reason = models.TextField("motif", max_length=2000)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    erased_at = models.DateTimeField(auto_now_add=True)
    rows = models.JSONField("lignes effacées par domaine", default=dict)

    class Meta:
        verbose_name = "effacement sur demande"
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"effacement #{self.beneficiary_id}"


class EmergencyAccess(models.Model):
    """Break-glass: a coordinator's time-limited access to a person's sensitive data, with a justification.

    Listed for review by the cité's coordinators; the responsible référent is told by e-mail.
    """

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="emergency_accesses")
    membership = models.ForeignKey("partners.Membership", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    justification = models.TextField("justification", max_length=2000)
    opened_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("fin de l'accès")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "accès d'urgence"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["membership", "beneficiary", "expires_at"])]

    def __str__(self) -> str:
        return f"accès d'urgence #{self.beneficiary_id} ({self.opened_at:%d/%m/%Y %H:%M})"
