"""The pathways domain's personal data are read through its access helpers, like the people domain's."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "citemploi"
PATHWAY_MODELS = (
    "BarrierRecord",
    "BarrierTransition",
    "Objective",
    "ObjectiveTransition",
    "PlanAction",
    "ActionTransition",
    "HandOver",
)
DIRECT_QUERY = re.compile(r"\b(" + "|".join(PATHWAY_MODELS) + r")\.objects\b")


def test_no_direct_query_on_pathway_data_in_views_and_api():
    offenders = []
    for folder in ("www", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            if "citemploi.pathways" not in path.read_text():
                continue  # other domains have models of the same name (the roadmap's objectives)
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if DIRECT_QUERY.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == [], "use citemploi.pathways.queries helpers:\n" + "\n".join(offenders)
