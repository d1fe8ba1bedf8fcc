"""Closed lists of the orientations domain."""

from django.db import models


class Status(models.TextChoices):
    SENT = "sent", "Envoyée"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
    EXPIRED = "expired", "Expirée"
    WITHDRAWN = "withdrawn", "Retirée"
    STARTED = "started", "Commencée"
    COMPLETED = "completed", "Terminée"
    ABANDONED = "abandoned", "Abandonnée"


class RefusalReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "Plus de place disponible"
    NOT_ELIGIBLE = "not_eligible", "La personne ne remplit pas les conditions d'accès"
    UNREACHABLE = "unreachable", "Personne injoignable"
    BETTER_ELSEWHERE = "better_elsewhere", "Un autre service est plus adapté"
    PERSON_DECLINED = "person_declined", "La personne a décliné"
    OTHER = "other", "Autre motif"


class Channel(models.TextChoices):
    WEB = "web", "Plateforme"
    LINK = "link", "Lien à usage unique"
    API = "api", "API"
    SYSTEM = "system", "Tâche automatique"


class SharedGroup(models.TextChoices):
    """What of the person's file may travel with an orientation (never the sensitive attributes)."""

    IDENTITY = "identity", "Identité (nom, prénom, date de naissance)"
    CONTACT = "contact", "Coordonnées (e-mail, téléphone)"
    ADDRESS = "address", "Adresse et QPV de résidence"
    EDUCATION = "education", "Niveau de formation"
    EMPLOYMENT = "employment", "Situation professionnelle et inscription au SPE"
    RIGHTS = "rights", "Droits et dispositifs (RSA, ASS, CEJ)"
    FAMILY = "family", "Situation familiale"
    FRENCH = "french", "Niveau de français"
    DIGITAL = "digital", "Autonomie numérique"
    MOBILITY = "mobility", "Mobilité (permis, véhicule)"


#: identity and contact always travel: without them the receiving structure cannot reach the person
REQUIRED_GROUPS = (SharedGroup.IDENTITY, SharedGroup.CONTACT)
OPTIONAL_GROUPS = tuple(g for g in SharedGroup if g not in REQUIRED_GROUPS)

#: states that wait for the receiving structure's answer
OPEN_STATES = frozenset({Status.SENT})
#: states after which nothing else happens
FINAL_STATES = frozenset(
    {Status.REFUSED, Status.EXPIRED, Status.WITHDRAWN, Status.COMPLETED, Status.ABANDONED}
)
