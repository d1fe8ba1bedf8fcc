"""Models of the partnership domain, one module per area."""

from citemploi.partnership.models.committees import (
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingAttendance,
    MeetingInvitation,
)
from citemploi.partnership.models.employers import (
    Employer,
    EmployerContact,
    EmployerEngagement,
    EmployerOffer,
)
from citemploi.partnership.models.events import Event, EventStructure, Participation
from citemploi.partnership.models.roadmap import ActionTransition, Indicator, Objective, RoadmapAction

__all__ = [
    "ActionTransition",
    "Committee",
    "CommitteeMember",
    "Decision",
    "Employer",
    "EmployerContact",
    "EmployerEngagement",
    "EmployerOffer",
    "Event",
    "EventStructure",
    "Indicator",
    "Meeting",
    "MeetingAttendance",
    "MeetingInvitation",
    "Objective",
    "Participation",
    "RoadmapAction",
]
