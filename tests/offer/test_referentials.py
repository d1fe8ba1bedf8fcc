"""The 11 barriers, their mapping to data·inclusion themes, and the other vocabularies."""

import json

import pytest

from citemploi.offer.enums import AreaKind, InsertionStep, Public
from citemploi.offer.models import months_before, stale_cutoff
from citemploi.offer.queries import theme_vocabulary
from citemploi.offer.referentials import (
    BARRIERS,
    BARRIERS_BY_CODE,
    KNOWN_THEMES,
    THEME_CATEGORIES,
    AreaCodeError,
    ThemeVocabulary,
    barriers_for_themes,
    category_of,
    department_of_commune,
    infer_step,
    parse_area_code,
)
from tests.conftest import shared_file


def test_the_eleven_barriers_are_numbered_once_with_unique_codes():
    assert [b.number for b in BARRIERS] == list(range(1, 12))
    assert len(BARRIERS_BY_CODE) == 11
    for barrier in BARRIERS:
        assert barrier.label and barrier.public_label
        assert barrier.mapped_codes, barrier.code
        assert set(barrier.categories) <= set(THEME_CATEGORIES)
        assert all(category_of(code) in THEME_CATEGORIES for code in barrier.themes)


def test_only_health_and_disability_is_a_sensitive_barrier():
    assert [b.code for b in BARRIERS if b.sensitive] == ["sante-handicap"]


@pytest.mark.parametrize(
    ("theme", "barriers"),
    [
        ("mobilite--preparer-un-permis", ["mobilite"]),
        ("famille--garde-denfants", ["contraintes-familiales"]),
        # Learning French lifts the French-language barrier, and counts among basic skills (literacy).
        ("lecture-ecriture-calcul--maitriser-le-francais", ["savoirs-de-base", "langue-francaise"]),
        ("lecture-ecriture-calcul--maitriser-le-calcul", ["savoirs-de-base"]),
        ("preparer-sa-candidature--developper-son-reseau", ["reseau-professionnel"]),
        ("preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation", []),
        ("trouver-un-emploi--repondre-a-des-offres-demploi", ["reseau-professionnel"]),
        ("equipement-et-alimentation--alimentation", ["precarite-financiere"]),
        ("difficultes-financieres--situation-dendettement-surendettement", ["precarite-financiere"]),
        ("sante--sante-mentale", ["sante-handicap"]),
        ("remobilisation--bien-etre-confiance-en-soi", ["confiance-remobilisation"]),
        (
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
            ["difficultes-administratives"],
        ),
        ("numerique--acquerir-un-equipement", ["numerique"]),
        ("logement-hebergement--louer-un-logement", ["logement"]),
        ("se-former--trouver-sa-formation", []),
    ],
)
def test_each_theme_lifts_the_barriers_of_its_category(theme, barriers):
    assert [b.code for b in barriers_for_themes([theme])] == barriers


def test_a_whole_category_lifts_the_barriers_of_its_sub_themes():
    """A service covering all of « lecture-écriture-calcul » also teaches French."""
    codes = [b.code for b in barriers_for_themes(["lecture-ecriture-calcul"])]
    assert codes == ["savoirs-de-base", "langue-francaise"]


def test_the_mapping_names_real_codes_of_the_official_referential():
    themes = json.loads(shared_file("data-inclusion-schema", "v1", "thematiques.json").read_text())
    codes = {t["value"] for t in themes}
    categories = {category_of(code) for code in codes}
    assert categories == set(THEME_CATEGORIES)
    for barrier in BARRIERS:
        assert set(barrier.categories) <= categories
        assert set(barrier.themes) <= codes, barrier.code
    assert set(KNOWN_THEMES) <= codes
    labels = {t["value"]: t["label"] for t in themes}
    assert (
        KNOWN_THEMES["lecture-ecriture-calcul--maitriser-le-francais"]
        == labels["lecture-ecriture-calcul--maitriser-le-francais"]
    )
    # Every category of the official list lifts a barrier or serves a step of the chain.
    assert all(infer_step([category]) for category in categories)


def test_our_publics_are_the_official_ones():
    publics = json.loads(shared_file("data-inclusion-schema", "v1", "publics.json").read_text())
    assert {p["value"] for p in publics} == set(Public.values)
    assert "residents-qpv-frr" in Public.values


def test_without_referential_well_formed_sub_themes_of_known_categories_are_accepted(db):
    vocabulary = theme_vocabulary()
    assert not vocabulary.loaded
    assert vocabulary.is_known("mobilite--preparer-un-permis")
    assert vocabulary.is_known("mobilite")
    assert not vocabulary.is_known("teleportation--apprendre")
    assert not vocabulary.is_known("Mobilité")
    # Labels fall back to our own, then to the code.
    assert vocabulary.label("mobilite") == "Mobilité"
    assert vocabulary.label("lecture-ecriture-calcul--maitriser-le-francais") == "Maîtriser le français"
    assert vocabulary.label("mobilite--preparer-un-permis") == "mobilite--preparer-un-permis"


def test_with_the_referential_only_its_codes_are_accepted(referential):
    vocabulary = theme_vocabulary()
    assert vocabulary.loaded
    assert vocabulary.is_known("mobilite--preparer-un-permis")
    assert vocabulary.label("mobilite--preparer-un-permis") == "Préparer un permis"
    assert not vocabulary.is_known("mobilite--voler")
    assert vocabulary.is_known("sante")
    groups = dict(vocabulary.grouped_choices())
    assert groups["Mobilité"][0] == ("mobilite", "Mobilité (toute la thématique)")
    assert ("mobilite--acceder-a-un-vehicule", "Accéder à un véhicule") in groups["Mobilité"]


def test_grouped_choices_sort_accented_labels_as_french_readers_expect():
    labels = [label for label, _ in ThemeVocabulary(sub_themes={}).grouped_choices()]
    assert labels.index("Équipement et alimentation") < labels.index("Famille")


@pytest.mark.parametrize(
    ("themes", "step"),
    [
        (["mobilite--preparer-un-permis"], InsertionStep.LEVEE_FREINS),
        (["se-former--trouver-sa-formation", "mobilite--financer-ma-mobilite"], InsertionStep.FORMATION),
        (["trouver-un-emploi--repondre-a-des-offres-demploi", "famille"], InsertionStep.MISE_EN_RELATION),
        (["remobilisation--lien-social"], InsertionStep.REPERAGE),
        (["choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"], InsertionStep.ORIENTATION),
        ([], ""),
    ],
)
def test_the_step_of_the_chain_is_inferred_from_themes(themes, step):
    assert infer_step(themes) == step


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("80021", (AreaKind.COMMUNE, "80021")),
        ("2a004", (AreaKind.COMMUNE, "2A004")),
        ("80", (AreaKind.DEPARTEMENT, "80")),
        ("974", (AreaKind.DEPARTEMENT, "974")),
        ("2B", (AreaKind.DEPARTEMENT, "2B")),
        ("248000556", (AreaKind.EPCI, "248000556")),
        ("france", (AreaKind.FRANCE, "france")),
        ("99100", (AreaKind.FRANCE, "france")),
    ],
)
def test_area_codes_of_the_official_geographic_code(raw, expected):
    assert parse_area_code(raw) == expected


@pytest.mark.parametrize("raw", ["8002", "Amiens", "99134", "1234567890", ""])
def test_bad_area_codes_are_refused_with_a_message(raw):
    with pytest.raises(AreaCodeError) as exc:
        parse_area_code(raw)
    assert "code" in str(exc.value)


def test_department_of_a_commune_as_data_inclusion_writes_it():
    assert department_of_commune("80021") == "80"
    assert department_of_commune("2A004") == "2A"
    assert department_of_commune("97411") == "974"


def test_six_months_before_clamps_to_the_end_of_the_month():
    from datetime import date

    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert months_before(date(2024, 3, 15), 6) == date(2023, 9, 15)
    assert stale_cutoff(date(2025, 1, 10)) == date(2024, 7, 10)
