"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

Steering members, reviewers, project holders and national users never see a journal or an outcome of a
named person: they read the aggregated indicators only.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    # The journal of a person's pathway (private notes: their author only, whatever the role).
    "journal.view": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "journal.write": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    # Outcomes (sorties) and their 3/6/12-month checks.
    "outcome.view": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "outcome.record": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    # Per-cité settings of the dropping-out risk.
    "tracking.settings": {R.COORDINATOR: S.CITE},
}
