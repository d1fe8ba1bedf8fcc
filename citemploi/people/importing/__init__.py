"""Import of a partner's list of people (CSV or XLSX) into a cité.

- reading: the file (encodings, delimiters, XLSX sheets) and its limits (size, rows, zip bombs);
- fields: the importable fields, the column detection and the explicit mapping;
- values: parsing of the cells (dates, yes/no, gender, referentials, QPV of the cité, contact details);
- validation: the line-by-line report (in-file and in-cité duplicates included);
- service: the dry run and the all-or-nothing import, with its audit rows;
- uploads: files kept between the steps of the web screens, and their expiry.
"""

from citemploi.people.importing.fields import (
    FIELDS,
    MappingError,
    detect_mapping,
    parse_mapping_option,
    resolve_mapping,
)
from citemploi.people.importing.reading import ImportFileError, Overview, file_overview, open_table
from citemploi.people.importing.service import (
    ImportRejected,
    ImportResult,
    import_people,
    import_structure,
    preview_import,
)
from citemploi.people.importing.validation import ImportReport, Issue

REPORT_HEADER = ["Ligne", "Colonne", "Valeur", "Message"]


def template_header() -> list[str]:
    """The columns of the CSV template offered for download (titles the detection recognises)."""
    return [f.label for f in FIELDS]


def report_rows(report: ImportReport) -> list[list[object]]:
    """The report as rows of (line, column, value, message), errors and ignored lines alike."""
    return [[i.line, i.column, i.value, i.message] for i in report.issues]


__all__ = [
    "FIELDS",
    "REPORT_HEADER",
    "ImportFileError",
    "ImportRejected",
    "ImportReport",
    "ImportResult",
    "Issue",
    "MappingError",
    "Overview",
    "detect_mapping",
    "file_overview",
    "import_people",
    "import_structure",
    "open_table",
    "parse_mapping_option",
    "preview_import",
    "report_rows",
    "resolve_mapping",
    "template_header",
]
