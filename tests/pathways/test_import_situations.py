from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citemploi.pathways.importing import derived_code
from citemploi.pathways.models import Situation
from citemploi.pathways.situations import DEFAULT_SITUATIONS, ensure_default_situations
from tests.conftest import shared_file


def run(*args):
    out = StringIO()
    call_command("import_situations", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_default_situations_are_installed_once(db):
    expected = sum(len(rows) for rows in DEFAULT_SITUATIONS.values())
    assert Situation.objects.filter(source="citemploi").count() == expected
    assert ensure_default_situations() == 0
    assert set(Situation.objects.values_list("barrier", flat=True)) == set(DEFAULT_SITUATIONS)
    assert Situation.objects.get(code="ce-adm-justice").sensitive


def test_import_the_carnet_de_bord_nomenclature(db):
    path = shared_file("carnet-de-bord", "ref_situation.csv")
    before = Situation.objects.count()
    out = run(path)
    imported = Situation.objects.filter(source="ref_situation")
    # 88 situations; "emploi" (15) and "formation" (4) describe a situation, not a barrier
    assert imported.count() == 69
    assert Situation.objects.count() == before + 69
    assert "Créées : 69" in out and "Ignorées : 19" in out
    by_label = {s.label: s for s in imported}
    assert by_label["Enfant(s) de moins de 3 ans sans solution de garde"].barrier == "contraintes-familiales"
    assert by_label["Difficultés en calcul"].barrier == "savoirs-de-base"
    assert by_label["Français Langue Étrangère (FLE) : non maitrise ou en cours d'apprentissage"].barrier == (
        "langue-francaise"
    )
    assert by_label["Existence d'un dossier MDPH"].barrier == "sante-handicap"
    assert by_label["Existence d'un dossier MDPH"].sensitive
    assert by_label["Difficulté d’ordre juridique"].sensitive
    assert not by_label["Aucun moyen de transport à disposition"].sensitive
    assert set(imported.filter(sensitive=True).values_list("barrier", flat=True)) == {
        "sante-handicap",
        "difficultes-administratives",
    }
    # idempotent by code
    again = run(path)
    assert "Créées : 0" in again and "Inchangées : 69" in again
    assert Situation.objects.count() == before + 69


def test_a_mapping_option_imports_an_ignored_theme(db):
    path = shared_file("carnet-de-bord", "ref_situation.csv")
    run(path, "--map", "emploi=reseau-professionnel", "--map", "formation=")
    assert Situation.objects.filter(source="ref_situation", barrier="reseau-professionnel").count() == 15


def test_a_bad_file_is_refused_whole_with_a_line_by_line_report(db, tmp_path):
    path = tmp_path / "situations.csv"
    path.write_text(
        "theme,description\n"
        "mobilite,Pas de vélo\n"
        "astrologie,Signe incompatible\n"
        "logement,\n"
        "8,Suivi en addictologie\n"
        "mobilite,Pas de vélo\n",
        encoding="utf-8",
    )
    before = Situation.objects.count()
    with pytest.raises(CommandError) as exc:
        run(path)
    message = str(exc.value)
    assert "rien n'a été enregistré" in message
    assert "ligne 3 : thème « astrologie » inconnu" in message
    assert "ligne 4 : description vide" in message
    assert "ligne 6 : code « mobilite-pas-de-velo » déjà présent ligne 2" in message
    assert Situation.objects.count() == before


def test_codes_numbers_and_dry_run(db, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text(
        "code,theme,label\nx-1,5,Pas de vélo\nx-2,sante-handicap,Suivi en addictologie\n", encoding="utf-8"
    )
    out = run(path, "--dry-run", "--source", "maison")
    assert "Créées : 2" in out and "rien n'a été écrit" in out
    assert not Situation.objects.filter(code__in=["x-1", "x-2"]).exists()
    run(path, "--source", "maison")
    assert Situation.objects.get(code="x-1").barrier == "mobilite"
    assert Situation.objects.get(code="x-2").sensitive
    with pytest.raises(CommandError, match="THEME=FREIN"):
        run(path, "--map", "nimporte")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.csv")
    with pytest.raises(CommandError, match="En-tête invalide"):
        bad = tmp_path / "bad.csv"
        bad.write_text("a,b\n1,2\n", encoding="utf-8")
        run(bad)


def test_long_descriptions_get_a_short_stable_code():
    code = derived_code("logement", "x" * 300)
    assert len(code) == 120
    assert code == derived_code("logement", "x" * 300)
