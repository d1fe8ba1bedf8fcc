"""Property-based tests of the importers (people CSV/XLSX, data·inclusion JSON/CSV) with the real services:
whatever the file, the import either succeeds or ends with a clean, French error (an unreadable file, a
mapping problem, or a line-by-line report), and a refused import writes nothing at all."""

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from citemploi.core.models import AuditEvent
from citemploi.offer import importing as di
from citemploi.offer.models import Service, ServiceArea, ServicePublic, ServiceTheme, StructureSource
from citemploi.partners.models import Partnership, Structure
from citemploi.people.importing import (
    ImportFileError,
    ImportRejected,
    MappingError,
    import_people,
    template_header,
)
from citemploi.people.models import Beneficiary
from tests.factories import ctx_for
from tests.offer.di_files import service, structure

pytestmark = pytest.mark.django_db

# No shrinking phase: a failure is reported as found, which keeps the run bounded.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

FORMULAS = ["=1+1", '=HYPERLINK("http://x")', "+33 6 12", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1"]
PEOPLE_VALUES = [
    "Martin",
    "Élodie",
    "01/02/1990",
    "1990-02-01",
    "31/02/1990",
    "F",
    "M",
    "X",
    "oui",
    "non",
    "QN08003M",
    "QN99999Z",
    "elodie@example.org",
    "06 12 34 56 78",
    "80000",
    "",
    " ",
    "0",
    "45000",
    "NaN",
]
huge = st.integers(min_value=1_000, max_value=60_000).map(lambda n: "é" * n)
cell_text = st.one_of(
    st.sampled_from(PEOPLE_VALUES),
    st.sampled_from(FORMULAS),
    st.text(max_size=40),
    huge,
)
header_text = st.sampled_from(template_header()) | st.text(max_size=30) | st.sampled_from(FORMULAS)


def _counts(*models: Any) -> tuple[int, ...]:
    return tuple(m.objects.count() for m in models)


PEOPLE_TABLES = (Beneficiary, AuditEvent)


def _import_people_checked(world: Any, data: bytes, filename: str) -> None:
    """Runs the real import; a refused import must leave every table as it was."""
    before = _counts(*PEOPLE_TABLES)
    try:
        result = import_people(ctx=ctx_for(world.referent_ft), source=data, filename=filename)
    except ImportRejected as refused:
        assert refused.report.has_errors and refused.report.issues
        assert all(issue.message for issue in refused.report.issues)
        assert _counts(*PEOPLE_TABLES) == before
    except (ImportFileError, MappingError) as refused:
        assert str(refused).strip()
        assert _counts(*PEOPLE_TABLES) == before
    else:
        assert Beneficiary.objects.count() == before[0] + result.created


@st.composite
def people_table(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.lists(header_text, min_size=1, max_size=9))
    width = st.integers(min_value=0, max_value=len(header) + 2)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(cell_text, min_size=n, max_size=n)), max_size=6))
    return [header, *rows]


@FUZZ
@given(data=st.binary(max_size=4_000), suffix=st.sampled_from(["csv", "xlsx", "txt", "CSV"]))
def test_people_import_of_random_bytes(world, data: bytes, suffix: str) -> None:
    _import_people_checked(world, data, f"liste.{suffix}")


@FUZZ
@given(
    table=people_table(),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_people_import_of_random_csv(
    world, table: list[list[str]], delimiter: str, encoding: str, quoting: int
):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(table)
    _import_people_checked(world, out.getvalue().encode(encoding, errors="replace"), "liste.csv")


@FUZZ
@given(table=people_table(), numbers=st.lists(st.floats(allow_nan=False) | st.integers(), max_size=3))
def test_people_import_of_random_xlsx(world, table: list[list[str]], numbers: list[float]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in table:
        # openpyxl refuses control characters; the file a partner sends cannot hold them either
        sheet.append([_printable(cell) for cell in row])
    if numbers and len(table) > 1:
        sheet.append(numbers)
    out = io.BytesIO()
    workbook.save(out)
    _import_people_checked(world, out.getvalue(), "liste.xlsx")


def _printable(text: str) -> str:
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


# --- data·inclusion ----------------------------------------------------------------------------------------

DI_TABLES = (
    Service,
    ServiceTheme,
    ServicePublic,
    ServiceArea,
    StructureSource,
    Structure,
    Partnership,
    AuditEvent,
)
DI_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    huge,
    st.sampled_from(FORMULAS),
    st.sampled_from(["2025-02-14", "2099-01-01", "14/02/2025", "mobilite", "payant", "80021", "80", "dora"]),
    st.lists(st.text(max_size=20) | st.sampled_from(["en-presentiel", "usagers", "80021"]), max_size=4),
)
di_keys = st.sampled_from(sorted(di.SERVICE_KEYS | di.STRUCTURE_KEYS)) | st.text(max_size=12)


@st.composite
def di_record(draw: st.DrawFn, base: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A real-looking record with some fields removed, replaced or added at random."""
    record = base(draw(st.text(min_size=1, max_size=20)))
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=4, unique=True)):
        del record[key]
    record.update(draw(st.dictionaries(di_keys, DI_VALUES, max_size=4)))
    return record


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)


def _import_services_checked(world: Any, services_file: di.UploadedFile, structures_file: Any = None) -> None:
    before = _counts(*DI_TABLES)
    try:
        report = di.import_services(
            ctx=ctx_for(world.coordinator, via="cli"),
            services_file=services_file,
            structures_file=structures_file,
        )
    except di.ImportRejected as refused:
        assert refused.report.has_errors and all(issue.message for issue in refused.report.errors)
        assert _counts(*DI_TABLES) == before
    except di.ImportFileError as refused:
        assert refused.message.strip()
        assert _counts(*DI_TABLES) == before
    else:
        assert not report.has_errors


@FUZZ
@given(
    payload=st.one_of(
        json_documents,
        st.lists(di_record(service), max_size=4),
        st.fixed_dictionaries(
            {
                "structures": st.lists(di_record(structure), max_size=3),
                "services": st.lists(di_record(service), max_size=3),
            }
        ),
        st.fixed_dictionaries({"items": st.lists(di_record(service), max_size=3)}),
    ),
    structures=st.none() | st.lists(di_record(structure), max_size=3),
)
def test_services_import_of_random_json(world, payload: Any, structures: list[dict[str, Any]] | None) -> None:
    content = json.dumps(payload, ensure_ascii=False, allow_nan=True).encode("utf-8")
    structures_file = (
        di.UploadedFile(content=json.dumps(structures).encode(), filename="structures.json")
        if structures
        else None
    )
    _import_services_checked(
        world, di.UploadedFile(content=content, filename="services.json"), structures_file
    )


@FUZZ
@given(
    records=st.lists(di_record(service), max_size=4),
    delimiter=st.sampled_from([",", ";"]),
    raw=st.none() | st.binary(max_size=2_000),
    filename=st.sampled_from(["services.csv", "services.json", "services.txt"]),
)
def test_services_import_of_random_csv_or_bytes(
    world, records, delimiter: str, raw: bytes | None, filename: str
):
    if raw is None:
        columns: list[str] = []
        for record in records:
            columns += [k for k in record if k not in columns]
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [
                    ",".join(map(str, v)) if isinstance(v, list) else "" if v is None else v
                    for v in map(record.get, columns)
                ]
            )
        raw = out.getvalue().encode("utf-8", errors="replace")
    _import_services_checked(world, di.UploadedFile(content=raw, filename=filename))
