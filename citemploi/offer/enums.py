"""Closed lists of values of the offer of services.

The data·inclusion v1 lists (publics, types, fees, modes of welcome and of mobilisation, who may mobilise) are
enumerations of the national schema: the values are its codes, so that imports and exports speak the same
language; the French labels are ours. The theme codes (`thematiques`) are a longer referential loaded from a
file (see citemploi.offer.referentials).
"""

from django.db import models


class ServiceNature(models.TextChoices):
    DROIT_COMMUN = "droit_commun", "Droit commun"
    SPECIFIQUE = "specifique", "Offre spécifique"
    AAP = "aap", "Financé par l'appel à projets de la cité"


class InsertionStep(models.TextChoices):
    """The step of the insertion chain a service serves."""

    REPERAGE = "reperage_mobilisation", "Repérage et mobilisation"
    ORIENTATION = "orientation", "Orientation"
    FORMATION = "formation", "Formation"
    MISE_EN_RELATION = "mise_en_relation", "Mise en relation avec les entreprises"
    LEVEE_FREINS = "levee_freins", "Levée des freins périphériques"


class Public(models.TextChoices):
    """data·inclusion v1 `publics`."""

    TOUS_PUBLICS = "tous-publics", "Tous publics"
    ACTIFS = "actifs", "Personnes en emploi"
    MINIMAS_SOCIAUX = "beneficiaires-des-minimas-sociaux", "Bénéficiaires des minima sociaux (RSA…)"
    DEMANDEURS_EMPLOI = "demandeurs-emploi", "Demandeurs d'emploi"
    ETUDIANTS = "etudiants", "Étudiants"
    FAMILLES = "familles", "Familles, parents"
    FEMMES = "femmes", "Femmes"
    JEUNES = "jeunes", "Jeunes"
    HANDICAP = "personnes-en-situation-de-handicap", "Personnes en situation de handicap"
    URGENCE = "personnes-en-situation-durgence", "Personnes en situation d'urgence"
    JURIDIQUE = "personnes-en-situation-juridique-specifique", "Personnes en situation juridique spécifique"
    EXILEES = "personnes-exilees", "Personnes exilées"
    RESIDENTS_QPV = "residents-qpv-frr", "Habitants des quartiers prioritaires (QPV) ou FRR"
    SENIORS = "seniors", "Seniors"


class ServiceType(models.TextChoices):
    """data·inclusion v1 `type` of service."""

    ACCOMPAGNEMENT = "accompagnement", "Accompagnement"
    AIDE_FINANCIERE = "aide-financiere", "Aide financière"
    AIDE_MATERIELLE = "aide-materielle", "Aide matérielle"
    ATELIER = "atelier", "Atelier"
    FORMATION = "formation", "Formation"
    INFORMATION = "information", "Information"


class Fee(models.TextChoices):
    GRATUIT = "gratuit", "Gratuit"
    PAYANT = "payant", "Payant"


class ModeAccueil(models.TextChoices):
    PRESENTIEL = "en-presentiel", "Sur place"
    DISTANCE = "a-distance", "À distance (téléphone, internet)"


class ModeMobilisation(models.TextChoices):
    """How the service is asked for."""

    COURRIEL = "envoyer-un-courriel", "Envoyer un courriel"
    SE_PRESENTER = "se-presenter", "Se présenter sur place"
    TELEPHONER = "telephoner", "Téléphoner"
    LIEN = "utiliser-lien-mobilisation", "Remplir le formulaire en ligne"


class Mobiliser(models.TextChoices):
    """Who may ask for the service (data·inclusion `mobilisable_par`)."""

    USAGERS = "usagers", "Les personnes elles-mêmes"
    PROFESSIONNELS = "professionnels", "Les professionnels de l'insertion"


class AreaKind(models.TextChoices):
    """Kinds of codes of the area served (Code officiel géographique)."""

    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité (EPCI)"
    DEPARTEMENT = "departement", "Département"
    FRANCE = "france", "Toute la France"
