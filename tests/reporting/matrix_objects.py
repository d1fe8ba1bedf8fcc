"""Objects of the reporting screens for the generated permission matrix (tests/core/test_policy_matrix.py)."""

from django.utils import timezone


def _report(world):
    from citemploi.reporting.models import QuarterlyReport

    report, _ = QuarterlyReport.objects.get_or_create(
        cite=world.cite, year=2026, quarter=1, defaults={"computed_at": timezone.now(), "values": {}}
    )
    return report


def url_kwargs(name, keys, world, person):
    if not name.startswith("reporting:"):
        return None
    kw = {}
    if name in ("reporting:export", "reporting:national_export"):
        kw["fmt"] = "csv"
    if name == "reporting:qpv":
        kw["code"] = world.qpv.code
    if name == "reporting:structure":
        kw["pk"] = world.ft.pk
    if name == "reporting:cohort":
        from datetime import date

        from citemploi.cohorts.models import Cohort

        kw["pk"] = Cohort.objects.get_or_create(
            cite=world.cite,
            name="Cohorte de la matrice",
            defaults={"start_date": date(2026, 1, 1), "target_size": 10},
        )[0].pk
    if name.startswith("reporting:questionnaire") and "pk" in keys:
        kw["pk"] = _report(world).pk
    if name == "reporting:questionnaire_export":
        kw["fmt"] = "xlsx"
    return kw
