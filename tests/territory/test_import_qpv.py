"""The import of the official QPV list (citemploi import_qpv)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citemploi.core.models import AuditEvent
from citemploi.territory.imports import (
    QPVImportError,
    department_of_commune,
    import_qpv,
    read_commune_names,
)
from citemploi.territory.models import QPV, Commune
from tests.conftest import shared_file

HEADER = "code_qpv,libelle,dep_code_from_qpv_code,insee_communes\n"
LINES = [
    "QN08003M,Amiens Nord,080,80021",
    "QN00201M,Europe,002,02571;02691",
    'QN01202M,"Bastide, Tricot et Lapeyrade",012,12300',
    "QN02A01M,Les Jardins de l'Empereur,02A,2A004",
    "QN97102I,Cœur d'agglo - Vieux Bourg - Les Lauriers,971,97120;97101",
]
COMMUNES = {
    "meta": {"row_count_communes": 6},
    "communes": {
        "80021": {"label": "Amiens", "qpvs": [{"code": "QN08003M", "label": "Amiens Nord"}]},
        "02571; 02691": {"label": "Omissy; Saint-Quentin", "qpvs": []},
        "12300": {"label": "Villefranche-de-Rouergue", "qpvs": []},
        "2A004": {"label": "Ajaccio", "qpvs": []},
        "97120; 97101": {"label": "Pointe-à-Pitre; Les Abymes", "qpvs": []},
    },
}
SQUARE = [[[[2.25, 49.92], [2.27, 49.92], [2.27, 49.93], [2.25, 49.92]]]]


def contours(*codes: str, shift: float = 0.0) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code_qpv": code, "libelle": "x"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[[[p[0] + shift, p[1]] for p in SQUARE[0][0]]]],
                },
            }
            for code in codes
        ],
    }


@pytest.fixture
def files(tmp_path):
    """Writes the three files in tmp_path; returns a function to (re)write them."""

    def write(lines=LINES, communes=COMMUNES, geo=None, header=HEADER, name="qpv.csv", encoding="utf-8"):
        csv_path = tmp_path / name
        csv_path.write_text(header + "\n".join(lines) + "\n", encoding=encoding)
        communes_path = tmp_path / "communes.json"
        communes_path.write_text(json.dumps(communes, ensure_ascii=False), encoding="utf-8")
        geo_path = tmp_path / "contours.geojson"
        geo_path.write_text(json.dumps(geo if geo is not None else contours("QN08003M", "QN00201M")))
        return csv_path, geo_path, communes_path

    return write


def run(csv_path, geo_path=None, communes_path=None, *extra):
    out, err = StringIO(), StringIO()
    args = [str(csv_path)]
    if geo_path:
        args += ["--contours", str(geo_path)]
    if communes_path:
        args += ["--communes", str(communes_path)]
    call_command("import_qpv", *args, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_qpv_communes_and_contours(db, files):
    csv_path, geo_path, communes_path = files()
    out, _ = run(csv_path, geo_path, communes_path)
    assert "QPV : 5 créés, 0 mis à jour, 0 inchangé" in out
    assert "Communes : 7 créées" in out
    assert "Contours : 2 enregistré(s)." in out
    assert "3 QPV sans contour" in out
    europe = QPV.objects.get(code="QN00201M")
    assert europe.name == "Europe"
    assert europe.department == "002"
    assert europe.list_version == "2024"
    assert sorted(europe.communes.values_list("name", flat=True)) == ["Omissy", "Saint-Quentin"]
    assert europe.contour["type"] == "MultiPolygon"
    assert QPV.objects.get(code="QN01202M").name == "Bastide, Tricot et Lapeyrade"
    assert QPV.objects.get(code="QN01202M").contour is None
    assert Commune.objects.get(insee_code="2A004").department == "02A"
    assert Commune.objects.get(insee_code="97101").department == "971"
    assert Commune.objects.get(insee_code="97120").name == "Pointe-à-Pitre"
    assert Commune.objects.get(insee_code="80021").department == "080"
    assert AuditEvent.objects.filter(code="qpv.import", via="cli").count() == 1


def test_second_run_changes_nothing_and_says_so(db, files):
    paths = files()
    run(*paths)
    out, _ = run(*paths)
    assert "QPV : 0 créé, 0 mis à jour, 5 inchangés" in out
    assert "Communes : 0 créée, 0 mise à jour, 7 inchangées" in out
    assert "Aucun changement : la base était déjà à jour." in out
    assert AuditEvent.objects.filter(code="qpv.import").count() == 1


def test_a_changed_name_or_contour_is_updated_and_user_fields_are_kept(db, files):
    csv_path, geo_path, communes_path = files()
    run(csv_path, geo_path, communes_path)
    QPV.objects.filter(code="QN08003M").update(veille_active=True, population=12345)
    renamed = [LINES[0].replace("Amiens Nord", "Amiens-Nord"), *LINES[1:]]
    csv_path, geo_path, communes_path = files(lines=renamed, geo=contours("QN08003M", "QN00201M", shift=0.01))
    result = import_qpv(csv_path, contours_path=geo_path, communes_path=communes_path)
    assert (result.qpv.created, result.qpv.updated, result.qpv.unchanged) == (0, 2, 3)
    assert result.contours_written == 2
    amiens_nord = QPV.objects.get(code="QN08003M")
    assert amiens_nord.name == "Amiens-Nord"
    assert amiens_nord.veille_active is True
    assert amiens_nord.population == 12345
    assert amiens_nord.contour["coordinates"][0][0][0][0] == pytest.approx(2.26)


def test_commune_links_follow_the_file(db, files):
    run(*files())
    moved = [LINES[0], "QN00201M,Europe,002,02691", *LINES[2:]]
    result = import_qpv(files(lines=moved)[0])
    assert result.qpv.updated == 1
    assert list(QPV.objects.get(code="QN00201M").communes.values_list("insee_code", flat=True)) == ["02691"]
    # The commune stays: other data may refer to it.
    assert Commune.objects.filter(insee_code="02571").exists()


def test_without_communes_file_names_are_kept_or_default_to_the_code(db, files):
    csv_path, _, communes_path = files()
    run(csv_path, None, communes_path)
    added = [*LINES, "QN08009M,Les Argillières,080,80001"]
    csv_path, _, _ = files(lines=added)
    result = import_qpv(csv_path)
    assert result.communes.created == 1
    assert result.communes.updated == 0
    assert Commune.objects.get(insee_code="80021").name == "Amiens"
    assert Commune.objects.get(insee_code="80001").name == "80001"
    # A later communes file names it.
    communes = json.loads(json.dumps(COMMUNES))
    communes["communes"]["80001"] = {"label": "Abbeville"}
    csv_path, _, communes_path = files(lines=added, communes=communes)
    result = import_qpv(csv_path, communes_path=communes_path)
    assert result.communes.updated == 1
    assert Commune.objects.get(insee_code="80001").name == "Abbeville"


def test_a_bad_line_writes_nothing_and_every_error_is_reported(db, files):
    bad = [
        LINES[0],
        "QX12345,Mauvais code,080,80021",
        "QN08004M,,080,80021",
        "QN08005M,Sans commune,080,",
        "QN08006M,Commune fausse,080,8002A",
        "QN08003M,Doublon,080,80021",
        "QN08007M,Mauvais département,059,80021",
        "QN08008M,Trop,de,champs,80021",
    ]
    csv_path, geo_path, communes_path = files(lines=bad)
    with pytest.raises(CommandError, match="7 ligne\\(s\\) en erreur.*rien n'a été enregistré"):
        run(csv_path, geo_path, communes_path)
    with pytest.raises(QPVImportError) as caught:
        import_qpv(csv_path)
    errors = caught.value.errors
    assert len(errors) == 7
    assert errors[0].startswith("ligne 3 : code QPV « QX12345 » invalide")
    assert errors[1] == "ligne 4 : libellé vide"
    assert errors[2].startswith("ligne 5 : aucune commune")
    assert "8002A" in errors[3]
    assert errors[4] == "ligne 7 : code QPV QN08003M déjà présent ligne 2"
    assert "département « 059 »" in errors[5]
    assert errors[6].startswith("ligne 9 : 5 champs au lieu de 4")
    assert not QPV.objects.exists()
    assert not Commune.objects.exists()


def test_a_bad_line_leaves_a_previous_import_untouched(db, files):
    run(*files())
    csv_path, _, _ = files(lines=[LINES[0].replace("Amiens Nord", "Renommé"), "QN0800M,Court,080,80021"])
    _, err = "", StringIO()
    with pytest.raises(CommandError):
        call_command("import_qpv", str(csv_path), stdout=StringIO(), stderr=err)
    assert "ligne 3 : code QPV « QN0800M » invalide" in err.getvalue()
    assert QPV.objects.get(code="QN08003M").name == "Amiens Nord"


def test_dry_run_counts_without_writing(db, files):
    out, _ = run(*files()[:1], None, None, "--dry-run")
    assert "Simulation (--dry-run) : rien n'a été enregistré." in out
    assert "QPV : 5 créés" in out
    assert not QPV.objects.exists()
    assert not AuditEvent.objects.exists()


def test_clear_errors_for_missing_file_wrong_columns_and_bad_json(db, files, tmp_path):
    with pytest.raises(CommandError, match="introuvable"):
        run(tmp_path / "absent.csv")
    csv_path, _, _ = files(header="code,nom,communes\n")
    with pytest.raises(CommandError, match="Colonnes manquantes : code_qpv, libelle, insee_communes"):
        run(csv_path)
    csv_path, _, _ = files()
    broken = tmp_path / "broken.json"
    broken.write_text('{"communes": {"80021": "Amiens",}}')
    with pytest.raises(CommandError, match="pas du JSON valide \\(erreur ligne 1, colonne 33\\)"):
        run(csv_path, None, broken)
    not_geojson = tmp_path / "not.geojson"
    not_geojson.write_text('{"type": "Feature"}')
    with pytest.raises(CommandError, match="FeatureCollection GeoJSON est attendue"):
        run(csv_path, not_geojson)
    bad_geo = contours("QN08003M")
    bad_geo["features"].append({"type": "Feature", "properties": {"code_qpv": "QN08003M"}, "geometry": None})
    _, geo_path, _ = files(geo=bad_geo)
    with pytest.raises(QPVImportError) as caught:
        import_qpv(csv_path, contours_path=geo_path)
    assert caught.value.errors == [
        "entité n° 2 (QN08003M) : géométrie absente ou d'un type non géré (Polygon ou MultiPolygon attendu)"
    ]
    assert not QPV.objects.exists()


def test_contours_of_unknown_qpv_are_ignored_and_reported(db, files):
    csv_path, geo_path, _ = files(geo=contours("QN08003M", "QN99999Z"))
    out, _ = run(csv_path, geo_path)
    assert "1 contour(s) ignoré(s), QPV absents de la liste : QN99999Z" in out


def test_spreadsheet_export_semicolons_cp1252_and_lost_leading_zeros(db, files):
    lines = ["QN00201M;Europe;2;2571 2691", "QN08003M;Amiens Nord;80;80021"]
    csv_path, _, _ = files(
        lines=lines, header="code_qpv;libelle;dep_code_from_qpv_code;insee_communes\n", encoding="cp1252"
    )
    result = import_qpv(csv_path)
    assert result.qpv.created == 2
    assert sorted(QPV.objects.get(code="QN00201M").communes.values_list("insee_code", flat=True)) == [
        "02571",
        "02691",
    ]


def test_qpv_present_in_database_but_not_in_file_are_left_alone(db, files):
    run(*files())
    out, _ = run(files(lines=LINES[:2])[0])
    assert "3 QPV déjà en base ne figurent pas dans le fichier : laissés tels quels." in out
    assert QPV.objects.count() == 5


def test_commune_names_grouped_keys_and_mojibake(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "59378": {"label": "Marcq-en-Bar\x9cul"},
                "02571; 02691": "Omissy; Saint-Quentin",
                "02691": "St-Q",
            }
        )
    )
    assert read_commune_names(path) == {"59378": "Marcq-en-Barœul", "02571": "Omissy", "02691": "St-Q"}


@pytest.mark.parametrize(
    ("insee", "department"),
    [("80021", "080"), ("01053", "001"), ("2B033", "02B"), ("97411", "974"), ("98712", "987")],
)
def test_department_of_commune(insee, department):
    assert department_of_commune(insee) == department


def test_import_is_done_in_a_constant_number_of_queries(db, files, django_assert_max_num_queries):
    lines = [f"QN059{n % 100:02d}{'MINC'[n // 100]},Quartier {n},059,{59000 + n:05d}" for n in range(400)]
    csv_path, _, _ = files(lines=lines)
    with django_assert_max_num_queries(30):
        result = import_qpv(csv_path)
    assert result.qpv.created == 400
    with django_assert_max_num_queries(10):
        result = import_qpv(csv_path)
    assert result.qpv.unchanged == 400


def test_the_official_2024_list(db):
    list_path = shared_file("qpv", "qpv2024_list.csv")
    communes_path = shared_file("qpv", "qpv2024_communes.json")
    result = import_qpv(list_path, communes_path=communes_path)
    assert result.qpv.created == 1584
    assert QPV.objects.count() == 1584
    amiens = {"QN08001M", "QN08002M", "QN08003M", "QN08004M", "QN08005M", "QN08006M"}
    rows = QPV.objects.filter(communes__insee_code="80021", code__in=amiens)
    assert set(rows.values_list("code", flat=True)) == amiens
    assert QPV.objects.get(code="QN08005M").name == "Condorcet - Philéas Lebesgue"
    assert Commune.objects.get(insee_code="80021").name == "Amiens"
    assert import_qpv(list_path, communes_path=communes_path).changed is False
