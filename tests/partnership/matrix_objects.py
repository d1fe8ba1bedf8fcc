"""Objects for the generated permission matrix (tests/core/test_policy_matrix.py): each screen of the
partnership gets objects within reach of every role the policy allows for its action."""

from tests.partnership.factories import (
    CommitteeFactory,
    EmployerFactory,
    EventFactory,
    MeetingFactory,
    ObjectiveFactory,
    RoadmapActionFactory,
    attended,
    contact,
    offers,
    seat,
)


def url_kwargs(name: str, keys: set[str], world, person) -> dict | None:
    if not name.startswith("partnership:"):
        return None
    kwargs: dict = {}
    if "fmt" in keys:
        kwargs["fmt"] = "xlsx"
    if "pk" not in keys:
        return kwargs
    if name.startswith(("partnership:committee", "partnership:meeting")):
        committee = CommitteeFactory(cite=world.cite)
        member = seat(committee, world.ft, user=world.coordinator.user)
        if name.startswith("partnership:meeting_") and name != "partnership:meeting_create":
            kwargs["pk"] = MeetingFactory(committee=committee).pk
        else:
            kwargs["pk"] = committee.pk
        if "member_pk" in keys:
            kwargs["member_pk"] = member.pk
    elif name in ("partnership:objective_edit", "partnership:action_create"):
        kwargs["pk"] = ObjectiveFactory(cite=world.cite, owner=world.ft).pk
    elif name in ("partnership:action_edit", "partnership:action_status"):
        # piloted by France Travail: the structure of the référent and partner-member personas
        kwargs["pk"] = RoadmapActionFactory(objective__cite=world.cite, owner=world.ft).pk
    elif name.startswith(("partnership:event", "partnership:participant")):
        event = EventFactory(cite=world.cite, organised_by=world.ft)
        kwargs["pk"] = event.pk
        if "participation_pk" in keys:
            kwargs["participation_pk"] = attended(event, person).pk
    elif name.startswith(("partnership:employer", "partnership:offer", "partnership:contact")):
        employer = EmployerFactory(cite=world.cite)
        kwargs["pk"] = employer.pk
        if "offer_pk" in keys:
            kwargs["offer_pk"] = offers(employer).pk
        if "contact_pk" in keys:
            kwargs["contact_pk"] = contact(employer).pk
    return kwargs
