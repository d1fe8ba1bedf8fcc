"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

How the scopes read for cohorts (applied by citemploi.cohorts.queries):
- cohort.view: everyone of the cité with a part in cohorts sees the cohorts, but not the same candidates:
  the coordination every candidate; a référent the candidates their structure proposed (the others as
  counts); a commission member only the cohort's summary and figures; steering members figures only.
- commission.view: the coordination every session; commission members and référents the sessions they
  are convened to, and of them only the agenda's candidates, with minimal data.
- commission.decide: the coordination, or the commission member chairing the session.
- cohort.propose: a référent proposes a person their structure follows (STRUCTURE scope of the people).
- cohort.exit: the coordination, or a référent of the person's responsible structure.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "cohort.view": {
        R.COORDINATOR: S.CITE,
        R.REFERENT: S.CITE,
        R.COMMISSION_MEMBER: S.CITE,
        R.STEERING: S.CITE,
    },
    "cohort.manage": {R.COORDINATOR: S.CITE},
    "cohort.propose": {R.REFERENT: S.STRUCTURE},
    "cohort.exit": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "commission.view": {R.COORDINATOR: S.CITE, R.COMMISSION_MEMBER: S.CITE, R.REFERENT: S.CITE},
    "commission.manage": {R.COORDINATOR: S.CITE},
    "commission.decide": {R.COORDINATOR: S.CITE, R.COMMISSION_MEMBER: S.CITE},
}
