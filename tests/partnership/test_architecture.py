"""Named participants of events are personal data: screens and API read them through the domain's access
helpers (citemploi.partnership.queries.events), never with a direct query."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "citemploi"
DIRECT_QUERY = re.compile(r"\bParticipation\.objects\b")


def test_no_direct_query_on_participations_in_views_and_api():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("www", "api")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if DIRECT_QUERY.search(line)
    ]
    assert offenders == [], "use citemploi.partnership.queries.events helpers"
