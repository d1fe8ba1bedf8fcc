from django.db import models


class Gender(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"
    OTHER = "X", "Autre / non précisé"


class AgeBand(models.TextChoices):
    YOUNG = "jeunes", "Moins de 26 ans"
    MIDDLE = "26-49", "26 à 49 ans"
    SENIOR = "seniors", "50 ans et plus"


class EducationLevel(models.TextChoices):
    NONE = "none", "Aucun diplôme"
    LEVEL_3 = "3", "Niveau 3 (CAP, BEP)"
    LEVEL_4 = "4", "Niveau 4 (baccalauréat)"
    LEVEL_5 = "5", "Niveau 5 (bac + 2)"
    LEVEL_6 = "6", "Niveau 6 (bac + 3, licence)"
    LEVEL_7 = "7", "Niveau 7 et plus (bac + 5)"
    FOREIGN = "foreign", "Diplôme étranger non reconnu"
    UNKNOWN = "unknown", "Non renseigné"


class EmploymentStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", "Sans emploi"
    PART_TIME_CONSTRAINED = "part_time_constrained", "Temps partiel subi"
    RETRAINING = "retraining", "En reconversion"
    PRECARIOUS = "precarious", "Emploi précaire"
    INACTIVE = "inactive", "Inactif·ve"
    STUDENT = "student", "Étudiant·e / en formation initiale"
    UNKNOWN = "unknown", "Non renseigné"


class FrenchLevel(models.TextChoices):
    NATIVE = "native", "Langue maternelle"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    UNKNOWN = "unknown", "Non évalué"


class DigitalAutonomy(models.TextChoices):
    NONE = "none", "Pas autonome"
    ASSISTED = "assisted", "Autonome avec aide"
    AUTONOMOUS = "autonomous", "Autonome"
    UNKNOWN = "unknown", "Non évalué"


class ReperageChannel(models.TextChoices):
    OUTREACH_EVENT = "outreach_event", "Action d'aller-vers / événement"
    PARTNER_LIST = "partner_list", "Liste d'un partenaire"
    ASSOCIATION = "association", "Association"
    WORD_OF_MOUTH = "word_of_mouth", "Bouche-à-oreille"
    FORUM = "forum", "Forum"
    DOOR_TO_DOOR = "door_to_door", "Porte-à-porte"
    REFERRAL = "referral", "Orientation d'un partenaire"
    SELF = "self", "Démarche spontanée"
    OTHER = "other", "Autre"


class QPVEvidenceMethod(models.TextChoices):
    ADDRESS_CHECK = "address_check", "Adresse vérifiée (géocodage / outil officiel)"
    PROOF = "proof", "Justificatif de domicile"
    DECLARED = "declared", "Déclaration de la personne"
    UNKNOWN = "unknown", "Non vérifié"


class ConsentScope(models.TextChoices):
    FOLLOW_UP = "follow_up", "Suivi de parcours par la structure référente"
    SHARING = "sharing", "Partage avec les partenaires du groupe de suivi"
    COMMISSION = "commission", "Présentation en commission de cohorte"


class ConsentMethod(models.TextChoices):
    ORAL = "oral", "Oral (information délivrée)"
    WRITTEN = "written", "Écrit signé"
    ELECTRONIC = "electronic", "Électronique"


class ErasureBasis(models.TextChoices):
    """RGPD art. 17 grounds a coordinator may erase a file on (the others call for the DPO)."""

    CONSENT_WITHDRAWN = "consent_withdrawn", "Retrait du consentement (art. 17.1.b)"
    NO_LONGER_NEEDED = "no_longer_needed", "Données plus nécessaires (art. 17.1.a)"
    OBJECTION = "objection", "Opposition de la personne (art. 17.1.c)"
    UNLAWFUL = "unlawful", "Traitement illicite (art. 17.1.d)"
