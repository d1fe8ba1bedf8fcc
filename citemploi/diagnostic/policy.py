"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY)."""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {}
