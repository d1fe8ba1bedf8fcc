"""Demo data of the reporting domain: the demo cité's national questionnaire of the last complete quarter,
pre-filled from the indicators of the other domains' demo data (a draft the coordinator can review)."""

from citemploi.demo.builder import DemoWorld
from citemploi.reporting import services
from citemploi.reporting.indicators import Period


def build_demo(world: DemoWorld) -> dict[str, int]:
    previous = Period.containing("quarter", world.today).previous()
    report = services.open_report(
        ctx=world.coordinator_ctx, year=previous.start.year, quarter=(previous.start.month - 1) // 3 + 1
    )
    return {"questionnaires trimestriels": 1, "valeurs pré-remplies": len(report.values)}
