"""The user guide lists every indicator's definition exactly as the registry defines it."""

from pathlib import Path

from citemploi.reporting.docs import END, START, definitions_markdown

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "indicateurs.md"


def test_guide_definitions_are_in_sync_with_the_registry():
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == definitions_markdown().strip(), (
        "Regenerate the block of docs/guide/indicateurs.md from citemploi.reporting.docs.definitions_markdown()"
    )
