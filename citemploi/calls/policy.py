"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

How the scopes read for the calls (applied by citemploi.calls.queries):
- CITE: the calls and files of the acting cité;
- OWN_STRUCTURE: the files whose holder is the acting structure (a project holder sees only their own);
- RESPONSIBLE: the files **assigned to the user** as reviewer, once they have declared that they have no
  conflict of interest (the object-level check is in queries.applications_for);
- ALL: every cité's published calls and their aggregated figures (national animation: nothing personal).
Steering members see the committee's decisions and aggregated figures, never a file's contacts.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    # Calls: everybody of the cité reads them (the public reads the published ones without an account).
    "call.view": {r: S.CITE for r in Role if r != R.NATIONAL} | {R.NATIONAL: S.ALL},
    "call.manage": {R.COORDINATOR: S.CITE},
    "call.export": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
    # Files
    "application.create": {R.HOLDER: S.OWN_STRUCTURE},
    "application.edit": {R.HOLDER: S.OWN_STRUCTURE},
    "application.submit": {R.HOLDER: S.OWN_STRUCTURE},
    "application.view": {R.HOLDER: S.OWN_STRUCTURE, R.COORDINATOR: S.CITE, R.REVIEWER: S.RESPONSIBLE},
    "application.message": {R.HOLDER: S.OWN_STRUCTURE, R.COORDINATOR: S.CITE, R.REVIEWER: S.RESPONSIBLE},
    # Instruction
    "application.instruct": {R.COORDINATOR: S.CITE},
    "review.score": {R.REVIEWER: S.RESPONSIBLE},
    # Steering committee (Copil)
    "committee.view": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
    "committee.decide": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
    # After the decision
    "agreement.manage": {R.COORDINATOR: S.CITE},
    "report.submit": {R.HOLDER: S.OWN_STRUCTURE},
    "report.validate": {R.COORDINATOR: S.CITE},
}
