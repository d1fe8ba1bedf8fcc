import pytest

from citemploi.offer.services import load_thematiques
from tests.api.conftest import api_as  # noqa: F401 - the API client fixture, for test_api.py

#: a few sub-themes, as the official referential would give them (tests must run without ../shared)
SOME_THEMES = [
    ("mobilite--preparer-un-permis", "Préparer un permis"),
    ("mobilite--acceder-a-un-vehicule", "Accéder à un véhicule"),
    ("famille--garde-denfants", "Garde d'enfants"),
    ("lecture-ecriture-calcul--maitriser-le-francais", "Maîtriser le français"),
    ("lecture-ecriture-calcul--maitriser-le-calcul", "Maîtriser le calcul"),
    ("numerique--acceder-a-une-connexion-internet", "Accéder à une connexion Internet"),
    ("trouver-un-emploi--repondre-a-des-offres-demploi", "Répondre à des offres d'emploi"),
    ("sante--acces-aux-soins", "Accès aux soins"),
    ("se-former--trouver-sa-formation", "Trouver sa formation"),
]


@pytest.fixture
def referential(db):
    """A small theme referential loaded as `import_di_referentials` would."""
    load_thematiques(SOME_THEMES)
    return dict(SOME_THEMES)
