"""Partner lists built in the tests: CSV in any encoding and delimiter, XLSX with openpyxl."""

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

HEADER = ["Nom", "Prénom", "Date de naissance", "Sexe", "Courriel", "Code QPV", "Inscrit France Travail"]


def person(n: int, **overrides: Any) -> list[Any]:
    """A valid line of HEADER: a distinct person for each n."""
    values = {
        "Nom": f"Martin-{n}",
        "Prénom": "Élodie",
        "Date de naissance": (date(1980, 1, 1) + timedelta(days=n)).strftime("%d/%m/%Y"),
        "Sexe": "F",
        "Courriel": f"elodie{n}@example.org",
        "Code QPV": "QN08003M",
        "Inscrit France Travail": "non",
    }
    values.update(overrides)
    return [values[c] for c in HEADER]


def people(count: int, start: int = 0) -> list[list[Any]]:
    return [person(n) for n in range(start, start + count)]


def csv_file(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_file(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    *,
    title: str = "Personnes",
    before: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """A workbook whose sheet `title` holds the list; `before` adds sheets placed ahead of it."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, sheet_rows in (before or {}).items():
        ws = wb.create_sheet(name)
        for row in sheet_rows:
            ws.append(row)
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
