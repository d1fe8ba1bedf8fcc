"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

The shared diagnostic is aggregate: the coordinator sees exact counts; the steering committee and the national
animator read the demand of the matrix through statistical secrecy. Only the coordinator imports and edits the
reference indicators of the cité's QPV.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "diagnostic.view": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE, R.NATIONAL: S.ALL},
    "diagnostic.manage": {R.COORDINATOR: S.CITE},
}
