from django.conf import settings
from django.db import models

from citemploi.core.policy import Role
from citemploi.partners.enums import CooperationFormat, RoleInCite, StructureKind
from citemploi.territory.models import QPV, Cite, Commune


class Structure(models.Model):
    """A partner organisation. It may take part in several cités (see Partnership)."""

    name = models.CharField("nom", max_length=250)
    kind = models.CharField("type", max_length=30, choices=StructureKind.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    rna = models.CharField("RNA", max_length=10, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="commune"
    )
    email = models.EmailField("e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site web", blank=True)
    sensitive = models.BooleanField(
        "structure sensible",
        default=False,
        help_text="Les autres partenaires ne doivent pas savoir qu'une personne y est suivie "
        "(probation, soins en addictologie…).",
    )
    cites = models.ManyToManyField(Cite, through="Partnership", related_name="structures")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A structure's place in one cité: its role, cooperation format and the QPV it acts in."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="partnerships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="partnerships")
    role = models.CharField("rôle dans la cité", max_length=20, choices=RoleInCite.choices, default="other")
    cooperation_format = models.CharField(
        "format de coopération",
        max_length=20,
        choices=CooperationFormat.choices,
        default=CooperationFormat.CONCERTATION,
    )
    qpvs = models.ManyToManyField(QPV, blank=True, verbose_name="QPV d'intervention")
    since = models.DateField("partenaire depuis", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cite", "structure"], name="unique_partnership")]

    def __str__(self) -> str:
        return f"{self.structure} — {self.cite}"


class Membership(models.Model):
    """A user's role in a cité, for a structure. The user picks one to act with (kept in the session).

    A national animator has neither cité nor structure; a coordinator may have no structure.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cite = models.ForeignKey(
        Cite, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cite__name", "structure__name", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cite", "structure", "role"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role="national") | models.Q(cite__isnull=False),
                name="membership_needs_cite",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_role_display()]
        if self.structure_id:
            parts.append(str(self.structure))
        if self.cite_id:
            parts.append(str(self.cite))
        return " — ".join(parts)
