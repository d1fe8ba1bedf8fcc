"""Checking a partner's list line by line, before anything is written.

The report lists (line as the user sees it, column, value, message). A line is in error when one of its cells
cannot be read, a required cell is empty, the same person appears on an earlier line, or the person already
has a file in the cité. With "skip existing", a person already in the cité is not an error: the line is
ignored (and its other cells are not checked, since nothing of it is written).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from citemploi.people.importing import values as v
from citemploi.people.importing.fields import BY_NAME, FIELDS, PARSERS, REQUIRED, column_label
from citemploi.people.importing.reading import Table
from citemploi.people.services import identity_key

ERROR = "error"
SKIPPED = "skipped"
#: Issues listed in a report; beyond, they are counted only (a file of wrong columns errs on every line).
MAX_LISTED_ISSUES = 10_000
PREVIEW_ROWS = 20
#: how long a cell's value may be in the report
REPORT_VALUE_LENGTH = 120
IDENTITY = ("last_name", "first_name", "birth_date")
UNIQUE_PER_LINE = {"last_name", "email", "phone", "address"}


@dataclass(frozen=True)
class Issue:
    line: int
    column: str
    value: str
    message: str
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass(frozen=True)
class PreviewRow:
    line: int
    status: str  # "create" | "skip" | "error"
    cells: list[str]

    @property
    def status_label(self) -> str:
        return {"create": "à créer", "skip": "déjà présente, ignorée", "error": "en erreur"}[self.status]


#: A line to create: (line, identity key, values aligned with ImportReport.fields, the QPV as its id).
#: A plain tuple of plain values on purpose: the garbage collector stops scanning such tuples, which matters
#: when 100,000 of them wait for the write (full collections took a third of the import's time otherwise).
ValidRow = tuple[int, str, tuple[Any, ...]]


@dataclass
class ImportReport:
    """What an import would do. `rows` holds the lines to create (kept only when the caller will write them)."""

    filename: str
    columns: list[str]
    mapping: dict[int, str]
    skip_existing: bool
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    omitted_issues: int = 0
    to_create: int = 0
    to_skip: int = 0
    in_error: int = 0
    lines: int = 0
    preview: list[PreviewRow] = field(default_factory=list)
    rows: list[ValidRow] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        """The mapped fields, in the order of FIELDS (the order of ValidRow.values and PreviewRow.cells)."""
        mapped = set(self.mapping.values())
        return [f.name for f in FIELDS if f.name in mapped]

    @property
    def field_labels(self) -> list[str]:
        return [BY_NAME[name].label for name in self.fields]

    @property
    def has_errors(self) -> bool:
        return self.in_error > 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def mapped_columns(self) -> list[tuple[str, str]]:
        """(column title, field label) of every mapped column, in the file's order."""
        return [
            (column_label(self.columns, i), BY_NAME[name].label) for i, name in sorted(self.mapping.items())
        ]


def display(name: str, value: Any) -> str:
    """A parsed value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if name in (
        "gender",
        "education_level",
        "employment_status",
        "french_level",
        "digital_autonomy",
        "reperage_channel",
        "qpv_evidence_method",
    ):
        from citemploi.people.models import Beneficiary

        return str(dict(Beneficiary._meta.get_field(name).choices or []).get(value, value))
    return str(value)


def _shown(value: Any) -> str:
    text = v.as_text(value)
    return text if len(text) <= REPORT_VALUE_LENGTH else text[: REPORT_VALUE_LENGTH - 1] + "…"


def validate(
    table: Table,
    mapping: Mapping[int, str],
    *,
    filename: str,
    qpvs: Iterable[Any],
    existing_keys: set[str],
    skip_existing: bool,
    keep_rows: bool,
) -> ImportReport:
    """Read every line of the table through the mapping; nothing is written."""
    report = ImportReport(
        filename=filename,
        columns=table.columns,
        mapping=dict(mapping),
        skip_existing=skip_existing,
        sheet=table.sheet,
        sheet_names=table.sheet_names,
    )
    today = timezone.localdate()
    parsers = dict(PARSERS) | {
        "birth_date": v.birth_date_parser(today),
        "qpv_evidence_date": v.past_date_parser(today),
        "identified_on": v.past_date_parser(today),
        "qpv": v.qpv_parser(qpvs),
    }
    # Names, e-mails, phones and addresses differ on every line; other columns repeat a few values.
    parsers = {name: parse if name in UNIQUE_PER_LINE else v.memo(parse) for name, parse in parsers.items()}
    order = report.fields
    position = {name: i for i, name in enumerate(order)}
    qpv_slot = position.get("qpv")
    # Cells are read in the file's order, so that a line's issues read left to right.
    plan = [(position[name], index, name, parsers[name]) for index, name in sorted(mapping.items())]
    labels = {name: column_label(table.columns, index) for index, name in mapping.items()}
    identity_columns = ", ".join(labels[name] for name in IDENTITY)
    width = len(table.columns)
    required = set(REQUIRED)
    required_slots = [position[name] for name in REQUIRED]
    identity_slots = [position[name] for name in IDENTITY]
    first_line_of: dict[str, int] = {}
    issues = report.issues

    def add(issue: Issue) -> None:
        if len(issues) < MAX_LISTED_ISSUES:
            issues.append(issue)
        else:
            report.omitted_issues += 1

    for line, cells in table.rows:
        report.lines += 1
        row_issues: list[Issue] = []
        parsed: list[Any] = [None] * len(order)
        present = [False] * len(order)
        if len(cells) > width and table.kind == "csv" and any(not v.is_empty(c) for c in cells[width:]):
            row_issues.append(
                Issue(
                    line,
                    "",
                    _shown(" ; ".join(v.as_text(c) for c in cells[width:] if not v.is_empty(c))),
                    "Cette ligne a plus de valeurs que l'en-tête n'a de colonnes "
                    "(séparateur ou guillemets mal placés ?).",
                )
            )
        for slot, index, name, parse in plan:
            raw = cells[index] if index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):  # v.is_empty, inlined
                if name in required:
                    row_issues.append(Issue(line, labels[name], "", "Valeur obligatoire manquante."))
                continue
            try:
                parsed[slot] = parse(raw)
                present[slot] = True
            except v.Invalid as exc:
                row_issues.append(Issue(line, labels[name], _shown(raw), exc.message))

        status = "error" if row_issues else "create"
        key = ""
        if all(present[slot] for slot in required_slots):
            last, first, born = (parsed[slot] for slot in identity_slots)
            key = identity_key(first, last, born)
            if key in existing_keys or key in first_line_of:
                shown = f"{last} {first}, {born:%d/%m/%Y}"
            if key in existing_keys:
                if skip_existing:
                    status, row_issues = (
                        "skip",
                        [
                            Issue(
                                line,
                                identity_columns,
                                shown,
                                "Déjà présent(e) dans la cité : ligne ignorée.",
                                SKIPPED,
                            )
                        ],
                    )
                else:
                    status = "error"
                    row_issues.append(
                        Issue(
                            line,
                            identity_columns,
                            shown,
                            "Déjà présent(e) dans la cité (mêmes nom, prénom et date de naissance).",
                        )
                    )
            if status != "skip":
                if key in first_line_of:
                    status = "error"
                    row_issues.append(
                        Issue(
                            line,
                            identity_columns,
                            shown,
                            f"Même personne qu'à la ligne {first_line_of[key]} (mêmes nom, prénom et "
                            "date de naissance).",
                        )
                    )
                else:
                    first_line_of[key] = line

        for issue in row_issues:
            add(issue)
        if status == "create":
            report.to_create += 1
            if keep_rows:
                if qpv_slot is not None and parsed[qpv_slot] is not None:
                    parsed[qpv_slot] = parsed[qpv_slot].pk
                report.rows.append((line, key, tuple(parsed)))
        elif status == "skip":
            report.to_skip += 1
        else:
            report.in_error += 1
        if len(report.preview) < PREVIEW_ROWS:
            cells_shown = []
            for slot, name in enumerate(order):
                if present[slot]:
                    cells_shown.append(display(name, parsed[slot]))
                else:
                    index = next(i for i, n in mapping.items() if n == name)
                    raw = cells[index] if index < len(cells) else None
                    cells_shown.append("" if v.is_empty(raw) else _shown(raw))
            report.preview.append(PreviewRow(line, status, cells_shown))
    return report
