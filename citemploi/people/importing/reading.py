"""Reading a partner's list of people: CSV or XLSX, into a header and numbered rows.

The reader refuses, with a French message the user can act on:
- files over settings.IMPORT_MAX_BYTES, or with more than MAX_DATA_ROWS people;
- XLSX whose members would expand beyond a sane size (zip bomb), checked on the zip's declared sizes
  before openpyxl opens anything (Python's zipfile never inflates a member past its declared size: a member
  that lies about it fails its CRC check instead of filling the memory);
- extensions other than .csv and .xlsx, and content that is not what the extension says.

Line numbers are the ones the user sees: the spreadsheet row, or the physical line where a CSV record starts
(a quoted field may span several lines).
"""

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings

from citemploi.core import uploads

#: Most people a single file may carry.
MAX_DATA_ROWS = 200_000
#: Most columns a header may have (a partner's list has a few dozen at most).
MAX_COLUMNS = 200
#: An XLSX may expand to at most this many times IMPORT_MAX_BYTES once uncompressed (all members together).
XLSX_MAX_EXPANSION = 25
#: Most members an XLSX archive may hold.
XLSX_MAX_MEMBERS = 2_000
#: Excel's last row: a sheet claiming rows beyond it is not a spreadsheet anybody saved.
XLSX_MAX_ROW_INDEX = 1_048_576
CSV_DELIMITERS = (";", ",", "\t")
EXTENSIONS = (".csv", ".xlsx")

Source = Path | bytes


class ImportFileError(Exception):
    """The file cannot be read as a list of people; the message (French) says why and what to do."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class Table:
    """A header and its rows. `rows` yields (line number as the user sees it, values), empty lines left out."""

    columns: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    kind: str  # "csv" | "xlsx"
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    header_line: int = 1


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} Mo".replace(".", ",")
    return f"{max(1, n // 1024)} ko"


def extension_of(filename: str) -> str:
    """The lower-case extension if it is accepted; ImportFileError otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in EXTENSIONS:
        return suffix
    if suffix in (".xls", ".xlsm", ".xlsb"):
        raise ImportFileError(
            f"Le format {suffix} n'est pas pris en charge : enregistrez le fichier au format .xlsx "
            "(classeur Excel) ou .csv depuis votre tableur."
        )
    if suffix == ".ods":
        raise ImportFileError(
            "Le format .ods n'est pas pris en charge : enregistrez le fichier au format .xlsx ou .csv "
            "depuis votre tableur."
        )
    raise ImportFileError("Format de fichier non pris en charge : choisissez un fichier .csv ou .xlsx.")


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ImportFileError(
            f"Le fichier est trop volumineux ({_human_size(size)}) : la taille maximale est de "
            f"{_human_size(max_bytes())}. Découpez-le en plusieurs fichiers."
        )
    if size == 0:
        raise ImportFileError("Le fichier est vide.")


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"Le fichier compte plus de {MAX_DATA_ROWS:,} lignes : découpez-le en plusieurs fichiers.".replace(
            ",", "\u202f"
        )
    )


def _load_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        check_size(len(source))
        return source
    check_size(source.stat().st_size)
    return source.read_bytes()


@contextmanager
def open_table(source: Source, filename: str, *, sheet: str | None = None) -> Iterator[Table]:
    """Open a CSV or XLSX file (by its name's extension) as a Table; ImportFileError when it cannot be read."""
    ext = extension_of(filename)
    if ext == ".csv":
        # The bytes are not kept once decoded (a 20 Mo file would otherwise be held twice).
        yield _csv_table(_load_bytes(source))
    else:
        with _xlsx_table(_load_bytes(source), sheet) as table:
            yield table


# --- CSV ---------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "Ce fichier .csv est en réalité un classeur (zip/xlsx) : renommez-le en .xlsx ou enregistrez-le "
            "au format CSV depuis votre tableur."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Ce fichier .csv est en réalité un classeur Excel 97-2003 : enregistrez-le au format CSV ou .xlsx."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            "Ce fichier CSV est encodé en UTF-16 : enregistrez-le en « CSV UTF-8 » depuis votre tableur."
        )
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            "Ce fichier .csv n'est pas un fichier texte : choisissez un export CSV ou .xlsx."
        )
    try:
        return data.decode("utf-8-sig")  # with or without BOM
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV (séparateur : point-virgule)" on Windows
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "L'encodage du fichier n'est pas reconnu : enregistrez-le en « CSV UTF-8 » depuis votre tableur."
        ) from exc


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of a text with their line breaks (\r\n, \r or \n), one at a time.

    Unlike io.StringIO, which copies the text four bytes a character, nothing but the current line is made.
    """
    for match in _LINE.finditer(text):
        yield match.group()


def _sample_lines(text: str, count: int = 20) -> str:
    lines = []
    for line in _lines(text):
        if line.strip():
            lines.append(line)
        if len(lines) >= count:
            break
    return "".join(lines)


def detect_delimiter(text: str) -> str:
    """The delimiter among ; , tab that splits the header into the most columns, rows agreeing with it.

    Quoted fields are honoured (a comma inside "12, rue…" does not count). Ties go to the semicolon,
    the French spreadsheets' default.
    """
    sample = _sample_lines(text)
    best, best_score = ";", (0, 0)
    for delimiter in CSV_DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        agreeing = sum(1 for r in records[1:] if len(r) == width)
        score = (width, agreeing) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_table(data: bytes) -> Table:
    text = _decode(data)
    del data
    delimiter = detect_delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)

    def records() -> Iterator[tuple[int, list[str]]]:
        previous_end = 0
        try:
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if any(v.strip() for v in record):
                    yield start, record
        except csv.Error as exc:
            raise ImportFileError(
                f"Le fichier CSV est mal formé vers la ligne {previous_end + 1} (guillemets non refermés ?)."
            ) from exc

    iterator = records()
    first = next(iterator, None)
    if first is None:
        raise ImportFileError("Le fichier ne contient aucune ligne.")
    header_line, header = first
    columns = _columns(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        count = 0
        for line, record in iterator:
            count += 1
            if count > MAX_DATA_ROWS:
                raise _too_many_rows()
            yield line, record

    return Table(columns=columns, rows=rows(), kind="csv", header_line=header_line)


def _columns(header: list[Any]) -> list[str]:
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            f"L'en-tête compte {len(header)} colonnes (au plus {MAX_COLUMNS}) : vérifiez que la première "
            "ligne du fichier est bien celle des titres de colonnes."
        )
    columns = [_cell_text(v) for v in header]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise ImportFileError("La première ligne du fichier doit contenir les titres des colonnes.")
    return columns


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- XLSX --------------------------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes) -> None:
    """Refuse what is not an XLSX, and XLSX that would expand to an absurd size (zip bomb)."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Ce fichier est au format Excel 97-2003 ou protégé par un mot de passe : enregistrez-le au "
            "format .xlsx sans mot de passe, ou en CSV."
        )
    if not data.startswith(b"PK"):
        raise ImportFileError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(
            "Ce fichier n'est pas un classeur Excel (.xlsx) valide (archive endommagée)."
        ) from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise ImportFileError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
    limit = XLSX_MAX_EXPANSION * max_bytes()
    declared = sum(m.file_size for m in members)
    if len(members) > XLSX_MAX_MEMBERS or declared > limit:
        raise ImportFileError(
            f"Ce classeur décompressé occuperait {_human_size(declared)} (au plus {_human_size(limit)}) : "
            "il ne ressemble pas à une liste de personnes. Enregistrez les données utiles dans un "
            "nouveau classeur ou en CSV."
        )
    try:
        uploads.check_zip_members(members, max_bytes=max_bytes(), label="classeur Excel (.xlsx)")
    except uploads.UploadRefused as exc:
        raise ImportFileError(str(exc.message)) from exc


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date()
    return value


@contextmanager
def _xlsx_table(data: bytes, sheet: str | None) -> Iterator[Table]:
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    with warnings.catch_warnings():
        # openpyxl warns about styles, data validation, headers/footers it does not read: not our concern.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors on malformed archives
            raise ImportFileError(
                "Ce classeur Excel (.xlsx) ne peut pas être lu (fichier endommagé ?)."
            ) from exc
        numbered: Generator[tuple[int, tuple[Any, ...]]] | None = None
        try:
            names = list(workbook.sheetnames)
            if sheet:
                if sheet not in names:
                    raise ImportFileError(
                        f"La feuille « {sheet} » n'existe pas dans ce classeur (feuilles : {', '.join(names)})."
                    )
                worksheet = workbook[sheet]
            else:
                if not names:
                    raise ImportFileError("Ce classeur ne contient aucune feuille.")
                worksheet = workbook[names[0]]
            if not hasattr(worksheet, "reset_dimensions"):
                raise ImportFileError(f"La feuille « {worksheet.title} » n'est pas un tableau (graphique ?).")
            # The dimension some generators write is wrong (e.g. "A1"): read every row the sheet holds.
            worksheet.reset_dimensions()
            numbered = _numbered_rows(worksheet.iter_rows(values_only=True))
            first = next(numbered, None)
            if first is None:
                raise ImportFileError(f"La feuille « {worksheet.title} » ne contient aucune ligne.")
            header_line, header = first
            columns = _columns(list(header))

            def rows() -> Iterator[tuple[int, list[Any]]]:
                count = 0
                for line, values in numbered:
                    count += 1
                    if count > MAX_DATA_ROWS:
                        raise _too_many_rows()
                    yield line, [_xlsx_value(v) for v in values]

            yield Table(
                columns=columns,
                rows=rows(),
                kind="xlsx",
                sheet=worksheet.title,
                sheet_names=names,
                header_line=header_line,
            )
        finally:
            if numbered is not None:
                numbered.close()  # a reader that stopped early left it suspended
            workbook.close()


def _numbered_rows(rows: Iterator[tuple[Any, ...]]) -> Generator[tuple[int, tuple[Any, ...]]]:
    """Rows with their spreadsheet number (openpyxl fills the gaps with empty rows), empty ones left out."""
    for index, values in enumerate(rows, start=1):
        if index > XLSX_MAX_ROW_INDEX:
            raise ImportFileError("La feuille déclare des lignes au-delà de la dernière ligne d'Excel.")
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            yield index, values


@dataclass(frozen=True)
class Overview:
    """The header of a file and a few values of each column, for choosing the column mapping."""

    columns: list[str]
    samples: list[list[str]]
    kind: str
    sheet: str
    sheet_names: list[str]


def file_overview(
    source: Source, filename: str, *, sheet: str | None = None, rows: int = 50, per_column: int = 3
) -> Overview:
    """The columns and up to `per_column` distinct non-empty values of each, from the first `rows` lines."""
    with open_table(source, filename, sheet=sheet) as table:
        samples: list[list[str]] = [[] for _ in table.columns]
        for count, (_line, cells) in enumerate(table.rows, start=1):
            for index, cell in enumerate(cells[: len(table.columns)]):
                text = _cell_text(cell)
                if isinstance(cell, datetime | date):
                    text = cell.strftime("%d/%m/%Y")
                text = " ".join(text.split())
                if text and len(samples[index]) < per_column and text not in samples[index]:
                    samples[index].append(text if len(text) <= 40 else text[:39] + "…")
            if count >= rows:
                break
        return Overview(table.columns, samples, table.kind, table.sheet, table.sheet_names)
