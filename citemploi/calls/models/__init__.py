"""Models of the calls for projects, one module per part of a call's life."""

from citemploi.calls.models.agreement import Agreement, Installment, Payment
from citemploi.calls.models.application import (
    Activity,
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationTransition,
    ApplicationVersion,
    Message,
    Objective,
)
from citemploi.calls.models.budget import BudgetEntry
from citemploi.calls.models.call import Call, CallTransition, Criterion, RequiredDocument
from citemploi.calls.models.committee import CommitteeSession, Decision, Scenario, ScenarioLine
from citemploi.calls.models.funded import FundedActionLink
from citemploi.calls.models.reports import (
    ActivityResult,
    FinancialLine,
    ObjectiveResult,
    Report,
    ReportTransition,
)
from citemploi.calls.models.review import Review, ReviewerAssignment, Score
from citemploi.calls.models.rules import EligibilityRule

__all__ = [
    "Activity",
    "ActivityResult",
    "Agreement",
    "Application",
    "ApplicationDocument",
    "ApplicationPartner",
    "ApplicationTransition",
    "ApplicationVersion",
    "BudgetEntry",
    "Call",
    "CallTransition",
    "CommitteeSession",
    "Criterion",
    "Decision",
    "EligibilityRule",
    "FinancialLine",
    "FundedActionLink",
    "Installment",
    "Message",
    "Objective",
    "ObjectiveResult",
    "Payment",
    "Report",
    "ReportTransition",
    "RequiredDocument",
    "Review",
    "ReviewerAssignment",
    "Scenario",
    "ScenarioLine",
    "Score",
]
