"""The demo cité's calls for projects: last year's funded action through its whole life, this year's open
call with a draft, a submitted file and a file scored by two reviewers — all written through the services."""

import time
from datetime import date, timedelta
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.calls import demo_data
from citemploi.calls.enums import ApplicationStatus, CallStatus, ReportStatus, ReviewStatus
from citemploi.calls.integration import funded_actions
from citemploi.calls.models import Application, Call, Payment, Review
from citemploi.core.models import AuditEvent
from citemploi.demo import amiens, builder
from citemploi.demo.builder import build_amiens
from citemploi.offer.enums import ServiceNature
from citemploi.offer.models import Service
from citemploi.partnership.models import RoadmapAction
from citemploi.territory.models import Cite

TODAY = date.today() - timedelta(days=3)


#: the SQL queries the calls' demo may take (measured: 761 on SQLite, about 10 s on a loaded machine)
MAX_QUERIES = 1200


def test_the_demo_calls(db, monkeypatch):
    measured = {}

    def build_demo(world):
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            counts = demo_data.build_demo(world)
        measured.update(queries=len(queries), seconds=time.monotonic() - started)
        return counts

    # Only this domain's demo module runs here: the other domains test theirs.
    monkeypatch.setattr(builder, "demo_modules", lambda: [SimpleNamespace(build_demo=build_demo)])
    summary = build_amiens(seed=11, people=12, today=TODAY)
    assert measured["queries"] < MAX_QUERIES, measured
    assert summary.extra["appels à projets"] == 2
    assert summary.extra["dossiers d'appel à projets"] == 4 and summary.extra["actions financées"] == 1
    cite = Cite.objects.get(slug=amiens.CITE_SLUG)
    previous, current = Call.objects.filter(cite=cite).order_by("year")
    assert (previous.year, previous.status) == (TODAY.year - 1, CallStatus.CLOSED)
    assert current.status == CallStatus.PUBLISHED and current.cloned_from_id == previous.pk
    assert current.opens_at.date() < TODAY < current.closes_at.date()

    # The seeds' rules are configured on both calls.
    for call in (previous, current):
        rules = {r.rule_type: r.params for r in call.rules.all()}
        assert rules["title_prefix"]["prefix"] == "CITE EMPLOI-"
        assert rules["objectives_count"]["max"] == 6 and rules["qpv_location"]["exclude_veille_active"]
        assert rules["grant_share_max"]["max_percent"] == "100"
        assert rules["funder_line"]["funder"] == "80 – ETAT – POLITIQUE VILLE"
        assert {
            "no_investment",
            "budget_balanced",
            "required_documents",
            "previous_reports_validated",
        } <= set(rules)
        assert [c.label.split(" ")[0] for c in call.criteria.all()] == [
            "Originalité",
            "Présentation",
            "Réalisme",
            "Bonus",
        ]

    statuses = sorted(Application.objects.filter(call__cite=cite).values_list("status", flat=True))
    assert statuses == sorted(
        [
            ApplicationStatus.REPORT_SUBMITTED,
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.UNDER_REVIEW,
        ]
    )
    reviewed = Application.objects.get(call=current, status=ApplicationStatus.UNDER_REVIEW)
    reviews = Review.objects.filter(assignment__application=reviewed)
    assert reviews.count() == 2 and all(r.status == ReviewStatus.SUBMITTED for r in reviews)
    assert all(s.justification for r in reviews for s in r.scores.all())

    funded = Application.objects.get(call=previous)
    assert funded.agreement.signed_on is not None and funded.report.status == ReportStatus.SUBMITTED
    assert Payment.objects.filter(agreement=funded.agreement).count() == 1
    [action] = funded_actions(cite)
    assert action.application_id == funded.pk and action.amount_paid > 0
    service = Service.objects.get(pk=action.service_id)
    assert service.nature == ServiceNature.AAP and service.structure_id == funded.holder_id
    assert RoadmapAction.objects.filter(pk=action.roadmap_action_id).exists()
    # Every step went through the services: the transitions were logged and audited.
    assert funded.transitions.count() >= 10
    assert AuditEvent.objects.filter(code="application.submitted").count() == 3
