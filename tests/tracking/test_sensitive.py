import pytest

from citemploi.tracking.sensitive import VOCABULARY, describe, find_sensitive


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Elle sort de l'HÔPITAL la semaine prochaine", "santé"),
        ("Suivi par un psychiatre", "santé"),
        ("Dossier RQTH en cours", "handicap"),
        ("Reconnaissance de son handicap", "handicap"),
        ("Elle est enceinte de 4 mois", "grossesse"),
        ("Grossesse difficile", "grossesse"),
        ("Problème d'alcool", "addiction"),
        ("Rendez-vous au CSAPA", "addiction"),
        ("Sortie de prison en mars", "justice"),
        ("Convoqué au tribunal", "justice"),
        ("Suivi SPIP, en probation", "justice"),
        ("Ne travaille pas pendant le Ramadan", "religion"),
        ("Il est musulman pratiquant", "religion"),
        ("Elle est lesbienne", "orientation sexuelle"),
        ("Discriminé pour sa couleur de peau", "origine ethnique"),
        ("Délégué CGT dans son ancien emploi", "opinions politiques ou syndicales"),
        ("Militante syndicale", "opinions politiques ou syndicales"),
    ],
)
def test_positives(text, category):
    assert category in [f.category for f in find_sensitive(text)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Rendez-vous à France Travail pour un atelier CV",
        "Atelier dans l'enceinte de l'entreprise",
        "CDD de 8 mois chez un grossiste alimentaire",
        "Formation cariste CACES 1, 3 et 5",
        "Il a jugé l'offre intéressante, candidature envoyée",
        "Mise en relation avec la droguerie du quartier pour un poste de vendeur",
        "Permis B obtenu, cherche un véhicule",
        "Entretien d'embauche réussi, démarrage lundi",
    ],
)
def test_negatives(text):
    assert find_sensitive(text) == []


def test_accents_and_case_are_ignored_and_words_reported_once():
    found = find_sensitive("MALADIE, maladie et Maladie ; hospitalisée")
    assert [(f.category, f.words) for f in found] == [("santé", ("maladie", "hospitalisee"))]


def test_several_categories_in_vocabulary_order():
    found = find_sensitive("Sort de détention, suivi en addictologie")
    assert [f.category for f in found] == ["addiction", "justice"]
    assert list(VOCABULARY).index("addiction") < list(VOCABULARY).index("justice")
    assert "addiction" in describe(found) and "Reformulez" in describe(found)
