"""Privacy by construction: personal data are read through access helpers only."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "citemploi"
PERSONAL_MODELS = ("Beneficiary", "SensitiveInfo", "Consent", "FollowUpMember", "Participation")
DIRECT_QUERY = re.compile(r"\b(" + "|".join(PERSONAL_MODELS) + r")\.objects\b")


def test_no_direct_query_on_personal_data_in_views_and_api():
    offenders = []
    for folder in ("www", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if DIRECT_QUERY.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == [], "use citemploi.people.queries helpers:\n" + "\n".join(offenders)


def test_domain_code_does_not_import_web_code():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("www",) or rel.name == "urls.py" and len(rel.parts) == 1:
            continue
        if re.search(r"^\s*(from|import) citemploi\.www", path.read_text(), re.M):
            offenders.append(str(rel))
    assert offenders == []
