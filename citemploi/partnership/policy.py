"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

- Every member of the cité sees the map of the partnership; national users see only aggregates elsewhere.
- Committees, the roadmap, events (aggregated figures) and employers are seen by the cité's partners and its
  steering members; reviewers and project holders do not see the Copil's deliberations.
- The coordination manages committees, meetings and the roadmap; the structure piloting a roadmap action
  moves its status.
- Events are recorded by the coordination, and by référents and partner members for the events their own
  structure organises or takes part in.
- Named participants of an event are personal data: the coordination sees them all (without sensitive
  details), a référent the people their structure follows (`people.queries` decides who is visible);
  steering members never see a name.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

_CITE_PARTNERS = (R.COORDINATOR, R.REFERENT, R.PARTNER_MEMBER, R.COMMISSION_MEMBER, R.STEERING)

POLICY: dict[str, dict[Role, Scope]] = {
    "partnership.view": {r: S.CITE for r in Role if r != R.NATIONAL},
    "governance.view": {r: S.CITE for r in _CITE_PARTNERS},
    "governance.manage": {R.COORDINATOR: S.CITE},
    "meeting.manage": {R.COORDINATOR: S.CITE},
    "roadmap.view": {r: S.CITE for r in _CITE_PARTNERS},
    "roadmap.manage": {R.COORDINATOR: S.CITE},
    "roadmap.action_status": {
        R.COORDINATOR: S.CITE,
        R.REFERENT: S.OWN_STRUCTURE,
        R.PARTNER_MEMBER: S.OWN_STRUCTURE,
    },
    "event.view": {r: S.CITE for r in _CITE_PARTNERS},
    "event.record": {R.COORDINATOR: S.CITE, R.REFERENT: S.OWN_STRUCTURE, R.PARTNER_MEMBER: S.OWN_STRUCTURE},
    "event.participants": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "employer.view": {r: S.CITE for r in _CITE_PARTNERS},
    "employer.manage": {R.COORDINATOR: S.CITE, R.REFERENT: S.CITE},
}
