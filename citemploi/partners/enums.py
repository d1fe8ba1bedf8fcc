from django.db import models


class StructureKind(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    PLIE = "plie", "PLIE"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    STATE = "state", "Services de l'État (préfecture, DDETS)"
    COMMUNE_EPCI = "commune_epci", "Commune / EPCI"
    CCAS = "ccas", "CCAS / CIAS"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    ASSOCIATION = "association", "Association de quartier"
    SOCIAL_CENTRE = "social_centre", "Centre social"
    EMPLOYER = "employer", "Employeur / club d'entreprises (PaQte, FACE)"
    TRAINING = "training", "Organisme de formation"
    CCI_CMA = "cci_cma", "CCI / CMA"
    SIAE = "siae", "SIAE"
    CITIZENS = "citizens", "Conseil citoyen / collectif d'habitants"
    HEALTH_SOCIAL = "health_social", "Services de santé ou sociaux"
    JUSTICE = "justice", "Justice (SPIP, PJJ)"


#: Public employment service (SPE) kinds: following by one of them means "hooked to droit commun".
SPE_KINDS = frozenset({StructureKind.FRANCE_TRAVAIL, StructureKind.MISSION_LOCALE, StructureKind.CAP_EMPLOI})

#: Kinds whose followed people must not be known by other partners (probation, addiction care...).
SENSITIVE_BY_DEFAULT = frozenset({StructureKind.JUSTICE})


class CooperationFormat(models.TextChoices):
    CONCERTATION = "concertation", "Concertation (se rencontrer)"
    COORDINATION = "coordination", "Coordination (agir de façon commune)"
    COPRODUCTION = "coproduction", "Coproduction (construire des actions ensemble)"


class RoleInCite(models.TextChoices):
    COPILOT = "copilot", "Co-pilote"
    SPE = "spe", "Service public de l'emploi"
    REFERRER = "referrer", "Prescripteur / repérage"
    SUPPORT = "support", "Accompagnement"
    BARRIERS = "barriers", "Levée des freins"
    TRAINING = "training", "Formation"
    EMPLOYER = "employer", "Employeur"
    FUNDER = "funder", "Financeur"
    OTHER = "other", "Autre"
