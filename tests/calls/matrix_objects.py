"""Objects of the calls screens for the generated permission matrix (tests/core/test_policy_matrix.py).

One open call of the persona's cité, and one file of `world.asso` (the holder persona's structure) under
review, assigned to `world.reviewer` who declared no conflict of interest, with a submitted version, a
document, and a committee session with its decision and a scenario: every role the policy allows reaches
them."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.models import ApplicationVersion, CommitteeSession, Decision, Scenario, ScenarioLine
from citemploi.calls.services.applications import snapshot
from tests.calls.factories import ApplicationFactory, CallFactory, assign, attach


def _objects(world):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.UNDER_REVIEW
    )
    ApplicationVersion.objects.create(
        application=app, number=1, snapshot=snapshot(app), rule_results=[], created_at=timezone.now()
    )
    assignment = assign(app, world.reviewer)
    document = attach(app, "autre", name="lettre.pdf")
    session = CommitteeSession.objects.create(call=call, held_on=date(call.year, 6, 20))
    decision = Decision.objects.create(session=session, application=app)
    scenario = Scenario.objects.create(session=session, name="Tout")
    ScenarioLine.objects.create(scenario=scenario, application=app, amount=Decimal("1000"))
    return call, app, assignment, document, session, decision, scenario


def url_kwargs(name: str, keys: set[str], world, person) -> dict | None:
    if not name.startswith("calls:"):
        return None
    call, app, assignment, document, session, decision, scenario = _objects(world)
    short = name.split(":", 1)[1]
    call_screens = {
        "edit", "rules", "rule_edit", "rule_delete", "criteria", "criterion_edit", "documents", "document_delete",
        "transition", "clone", "files", "export", "open_data", "application_create", "session_create",
    }  # fmt: skip
    session_screens = {
        "session", "session_update", "decision_save", "decision_letter", "scenario_save", "scenario_apply",
        "session_lock", "minutes",
    }  # fmt: skip
    kwargs: dict = {}
    if short in call_screens:
        kwargs["pk"] = call.pk
    elif short in session_screens:
        kwargs["pk"] = session.pk
    elif short in ("declaration", "evaluation"):
        kwargs["pk"] = assignment.pk
    elif "pk" in keys:
        kwargs["pk"] = app.pk
    if "rule_pk" in keys:
        kwargs["rule_pk"] = call.rules.first().pk
    if "criterion_pk" in keys:
        kwargs["criterion_pk"] = call.criteria.first().pk
    if "document_pk" in keys:
        kwargs["document_pk"] = (
            call.required_documents.first().pk if short == "document_delete" else document.pk
        )
    if "section" in keys:
        kwargs["section"] = "projet"
    if "number" in keys:
        kwargs["number"] = 1
    if "decision_pk" in keys:
        kwargs["decision_pk"] = decision.pk
    if "scenario_pk" in keys:
        kwargs["scenario_pk"] = scenario.pk
    return kwargs
