"""The definitions of the indicators as written in the user guide (docs/guide/indicateurs.md).

The guide's block between the two markers is this function's output; a test keeps them in step.
"""

from citemploi.reporting.indicators import REGISTRY

START = "<!-- définitions générées : début -->"
END = "<!-- définitions générées : fin -->"


def definitions_markdown() -> str:
    lines = []
    section = None
    for indicator in REGISTRY.values():
        if indicator.section != section:
            section = indicator.section
            lines += ["", f"### {section}", ""]
        cuts = ", ".join(sorted(c.label for c in indicator.cuts)) or "aucune"
        denominator = f" Dénominateur : {indicator.denominator}." if indicator.ratio else ""
        lines.append(
            f"- **{indicator.name}** (`{indicator.code}`, {indicator.unit.label}) : {indicator.definition} "
            f"Ventilations possibles : {cuts}.{denominator}"
        )
    return "\n".join(lines).strip() + "\n"
