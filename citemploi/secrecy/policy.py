"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

The coordinator sets the thresholds of the cité per audience and reads the log of what was hidden.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "secrecy.manage": {R.COORDINATOR: S.CITE},
}
