"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

The coordinator keeps the cité's budget; the steering committee (which decides it) reads it.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "budget.view": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
    "budget.manage": {R.COORDINATOR: S.CITE},
    "budget.export": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
}
