"""Vocabularies of the tracking domain (journal kinds, outcome types, contracts, check situations)."""

from django.db import models


class EntryKind(models.TextChoices):
    PHONE = "phone", "Contact téléphonique"
    VISIT = "visit", "Entretien ou visite"
    MESSAGE = "message", "E-mail ou message"
    APPOINTMENT = "appointment", "Rendez-vous"
    STEP = "step", "Étape du parcours"
    EVENT = "event", "Événement (forum, job dating, atelier…)"
    IMMERSION = "immersion", "Immersion (PMSMP)"
    TRAINING = "training", "Formation"
    JOB = "job", "Emploi"


#: entries that count as a contact with the person for the dropping-out risk
CONTACT_KINDS = frozenset(
    {EntryKind.PHONE, EntryKind.VISIT, EntryKind.MESSAGE, EntryKind.APPOINTMENT, EntryKind.STEP}
)


class OutcomeType(models.TextChoices):
    SUSTAINABLE_JOB = "sustainable_job", "Emploi durable (CDI, CDD de 6 mois ou plus)"
    TRANSITION_JOB = "transition_job", "Emploi de transition (CDD de moins de 6 mois, intérim)"
    SUBSIDISED_JOB = "subsidised_job", "Emploi aidé ou insertion par l'activité économique (IAE)"
    APPRENTICESHIP = "apprenticeship", "Apprentissage ou alternance"
    QUALIFYING_TRAINING = "qualifying_training", "Formation qualifiante"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    CIVIC_SERVICE = "civic_service", "Service civique"
    RETURN_TO_STUDIES = "return_to_studies", "Reprise d'études"
    NO_SOLUTION = "no_solution", "Sortie sans solution"


#: outcomes that are a job or a training: checked again at 3, 6 and 12 months
CHECKED_TYPES = frozenset(
    {
        OutcomeType.SUSTAINABLE_JOB,
        OutcomeType.TRANSITION_JOB,
        OutcomeType.SUBSIDISED_JOB,
        OutcomeType.APPRENTICESHIP,
        OutcomeType.QUALIFYING_TRAINING,
        OutcomeType.BUSINESS_CREATION,
    }
)
#: every outcome but the exit without solution is a "solution" (indicators.md)
SOLUTION_TYPES = frozenset(set(OutcomeType) - {OutcomeType.NO_SOLUTION})
CHECK_MONTHS = (3, 6, 12)


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    TEMPING = "temping", "Intérim"
    SUBSIDISED = "subsidised", "Contrat aidé ou IAE (PEC, CDDI…)"
    APPRENTICESHIP = "apprenticeship", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Contrat de professionnalisation"
    SELF_EMPLOYED = "self_employed", "Indépendant·e, micro-entreprise"
    TRAINEE = "trainee", "Stagiaire de la formation professionnelle"
    OTHER = "other", "Autre"


class CheckSituation(models.TextChoices):
    SAME_JOB = "same_job", "Toujours dans cet emploi ou cette formation"
    OTHER_JOB = "other_job", "Dans un autre emploi"
    TRAINING = "training", "En formation"
    JOB_SEEKING = "job_seeking", "En recherche d'emploi"
    INACTIVE = "inactive", "Sans activité ni recherche"


#: situations that count as "still in a job or training" for the retention indicator
RETAINED_SITUATIONS = frozenset({CheckSituation.SAME_JOB, CheckSituation.OTHER_JOB, CheckSituation.TRAINING})
