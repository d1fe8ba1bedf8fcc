"""Reading partner lists: CSV variants, XLSX, and the limits that protect the platform."""

import io
import zipfile
from datetime import date, datetime

import pytest

from citemploi.people.importing import reading
from citemploi.people.importing.reading import ImportFileError, detect_delimiter, open_table
from tests.people.import_files import HEADER, csv_file, people, person, xlsx_file


def read_all(data: bytes, filename: str, **kwargs):
    with open_table(data, filename, **kwargs) as table:
        return table.columns, list(table.rows), table


# --- CSV ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delimiter,encoding,bom",
    [
        (";", "utf-8", True),
        (";", "utf-8", False),
        (",", "utf-8", False),
        ("\t", "utf-8", True),
        (";", "cp1252", False),
    ],
)
def test_csv_delimiters_and_encodings(delimiter, encoding, bom):
    data = csv_file(people(3), delimiter=delimiter, encoding=encoding, bom=bom)
    columns, rows, table = read_all(data, "liste.csv")
    assert columns == HEADER
    assert [line for line, _ in rows] == [2, 3, 4]
    assert rows[0][1][:3] == ["Martin-0", "Élodie", "01/01/1980"]
    assert table.kind == "csv"


def test_cp1252_accents_are_read_when_the_file_is_not_utf8():
    data = "Nom;Prénom;Date de naissance\nLefèvre;Anaïs;02/03/1991\n".encode("cp1252")
    columns, rows, _ = read_all(data, "liste.csv")
    assert columns == ["Nom", "Prénom", "Date de naissance"]
    assert rows == [(2, ["Lefèvre", "Anaïs", "02/03/1991"])]


def test_quoted_fields_keep_delimiters_and_line_breaks_and_lines_are_those_of_the_file():
    data = (
        "Nom,Prénom,Adresse\r\n"
        '"Dupont, dit Jeannot",Jean,"12, rue des Lilas\r\nBâtiment B"\r\n'
        "\r\n"
        'Martin,Anne,"3 place ""Verte"""\r\n'
    ).encode()
    columns, rows, _ = read_all(data, "liste.csv")
    assert columns == ["Nom", "Prénom", "Adresse"]
    assert rows == [
        (2, ["Dupont, dit Jeannot", "Jean", "12, rue des Lilas\r\nBâtiment B"]),
        (5, ["Martin", "Anne", '3 place "Verte"']),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_any_line_break_convention(newline):
    text = (
        newline.join(["Nom;Prénom;Date de naissance", "A;B;01/01/1990", "", 'C;"D\fE";02/01/1990']) + newline
    )
    columns, rows, _ = read_all(text.encode(), "liste.csv")
    assert columns == ["Nom", "Prénom", "Date de naissance"]
    assert rows == [(2, ["A", "B", "01/01/1990"]), (4, ["C", "D\fE", "02/01/1990"])]


def test_last_line_without_line_break():
    _, rows, _ = read_all(b"Nom;Pr\xc3\xa9nom\nA;B", "liste.csv")
    assert rows == [(2, ["A", "B"])]


def test_delimiter_detection_ignores_commas_inside_quotes():
    assert detect_delimiter('Nom;Adresse\n"A";"1, rue B, C"\n') == ";"
    assert detect_delimiter('Nom,Prénom,Adresse\nA,B,"1; rue"\n') == ","
    assert detect_delimiter("Nom\tPrénom\nA\tB\n") == "\t"
    assert detect_delimiter("Nom\nA\n") == ";"


def test_leading_blank_lines_are_skipped_and_the_header_is_the_first_non_empty_line():
    data = b"\r\n;;\r\nNom;Pr\xc3\xa9nom;Date de naissance\r\nA;B;01/01/1990\r\n"
    columns, rows, table = read_all(data, "liste.CSV")
    assert columns == ["Nom", "Prénom", "Date de naissance"]
    assert table.header_line == 3 and rows == [(4, ["A", "B", "01/01/1990"])]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\xff\xfeN\x00o\x00m\x00", "UTF-16"),
        (b"PK\x03\x04rest of a zip", "renommez-le en .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
        (b"Nom;Pr\x00nom\n", "n'est pas un fichier texte"),
        (b"Nom;Pr\x81nom\n", "encodage"),
        (b"\r\n\r\n", "aucune ligne"),
    ],
)
def test_csv_content_that_is_not_a_readable_csv_is_refused(data, message):
    with pytest.raises(ImportFileError) as exc:
        read_all(data, "liste.csv")
    assert message in exc.value.message


# --- XLSX --------------------------------------------------------------------------------------------------


def test_xlsx_first_sheet_with_typed_cells_and_spreadsheet_line_numbers():
    rows = [
        ["Dupont", "Jean", datetime(1990, 2, 1), "M", None, None, True],
        [None, None, None, None, None, None, None],
        ["Martin", "Anne", 32905, "F", "a@example.org", "QN08003M", 0],
    ]
    columns, read, table = read_all(xlsx_file(rows), "liste.xlsx")
    assert columns == HEADER and table.kind == "xlsx" and table.sheet == "Personnes"
    assert [line for line, _ in read] == [2, 4]
    assert read[0][1][2] == date(1990, 2, 1)  # a midnight datetime is a date
    assert read[1][1][2] == 32905  # an unformatted Excel date stays a number: the date parser reads it


def test_xlsx_named_sheet_and_unknown_sheet():
    data = xlsx_file(people(2), before={"Notes": [["rien à importer"]]})
    columns, rows, table = read_all(data, "liste.xlsx")
    assert columns == ["rien à importer"] and table.sheet == "Notes"
    assert table.sheet_names == ["Notes", "Personnes"]
    columns, rows, table = read_all(data, "liste.xlsx", sheet="Personnes")
    assert columns == HEADER and len(rows) == 2
    with pytest.raises(ImportFileError) as exc:
        read_all(data, "liste.xlsx", sheet="Inconnue")
    assert (
        "La feuille « Inconnue » n'existe pas" in exc.value.message
        and "Notes, Personnes" in exc.value.message
    )


def test_xlsx_with_a_wrong_dimension_is_read_entirely():
    data = xlsx_file(people(3))
    # Some generators write <dimension ref="A1"/>: every row must still be read.
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b'<dimension ref="A1:G4" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in content
            dst.writestr(item, content)
    _, rows, _ = read_all(patched.getvalue(), "liste.xlsx")
    assert len(rows) == 3


@pytest.mark.parametrize(
    "data,message",
    [
        (b"Nom;Prenom\n", "n'est pas un classeur Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 ou protégé par un mot de passe"),
        (b"PK\x03\x04 not really a zip", "archive endommagée"),
    ],
)
def test_xlsx_content_that_is_not_a_workbook_is_refused(data, message):
    with pytest.raises(ImportFileError) as exc:
        read_all(data, "liste.xlsx")
    assert message in exc.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError) as exc:
        read_all(out.getvalue(), "liste.xlsx")
    assert "n'est pas un classeur Excel" in exc.value.message


def zip_bomb(uncompressed: int) -> bytes:
    """A workbook-looking archive whose sheet inflates to `uncompressed` bytes (zeros compress ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * uncompressed)
    return out.getvalue()


def test_zip_bomb_is_refused_before_opening(settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 100_000  # the archive may expand to 25 × that: 2.5 Mo
    bomb = zip_bomb(3_000_000)
    assert len(bomb) < 10_000
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(ImportFileError) as exc:
        read_all(bomb, "liste.xlsx")
    assert "décompressé occuperait" in exc.value.message
    assert opened == []


# --- Limits and extensions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename,message",
    [
        ("liste.txt", "choisissez un fichier .csv ou .xlsx"),
        ("liste", "choisissez un fichier .csv ou .xlsx"),
        ("liste.xls", "Le format .xls n'est pas pris en charge"),
        ("liste.ods", "Le format .ods n'est pas pris en charge"),
        ("liste.csv.exe", "choisissez un fichier .csv ou .xlsx"),
    ],
)
def test_unknown_extensions_are_refused(filename, message):
    with pytest.raises(ImportFileError) as exc:
        read_all(csv_file(people(1)), filename)
    assert message in exc.value.message


def test_oversize_file_is_refused(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    data = csv_file(people(30))
    assert len(data) > 1000
    with pytest.raises(ImportFileError) as exc:
        read_all(data, "liste.csv")
    assert "trop volumineux" in exc.value.message and "1 ko" in exc.value.message
    path = tmp_path / "liste.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError):
        read_all(path, "liste.csv")


def test_empty_file_is_refused():
    with pytest.raises(ImportFileError) as exc:
        read_all(b"", "liste.csv")
    assert "vide" in exc.value.message


def test_more_than_200000_rows_is_refused():
    body = b"Nom;Pr\xc3\xa9nom;Date de naissance\n" + b"A;B;01/01/1990\n" * (reading.MAX_DATA_ROWS + 1)
    with open_table(body, "liste.csv") as table:
        with pytest.raises(ImportFileError) as exc:
            for _ in table.rows:
                pass
    assert "plus de 200\u202f000 lignes" in exc.value.message


def test_200000_rows_exactly_are_accepted():
    body = b"Nom;Pr\xc3\xa9nom;Date de naissance\n" + b"A;B;01/01/1990\n" * reading.MAX_DATA_ROWS
    with open_table(body, "liste.csv") as table:
        assert sum(1 for _ in table.rows) == reading.MAX_DATA_ROWS


def test_too_many_rows_in_xlsx_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_DATA_ROWS", 3)
    with open_table(xlsx_file(people(4)), "liste.xlsx") as table:
        with pytest.raises(ImportFileError):
            list(table.rows)


def test_header_with_too_many_columns_is_refused():
    data = (";".join(f"c{i}" for i in range(reading.MAX_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(ImportFileError) as exc:
        read_all(data, "liste.csv")
    assert "colonnes" in exc.value.message


def test_a_path_is_read_like_bytes(tmp_path):
    path = tmp_path / "liste.xlsx"
    path.write_bytes(xlsx_file([person(1)]))
    columns, rows, _ = read_all(path, "liste.xlsx")
    assert columns == HEADER and len(rows) == 1
