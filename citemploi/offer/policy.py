"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

Services are not personal data: every role of a cité sees the services of the cité's partners, and the
national animator sees every cité's. A structure's référents and members keep their own structure's services
up to date; coordinators manage the whole offer of the cité. The searches of the public directory that found
nothing are aggregated counts: steering and national users may read them too.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

_EVERY_ROLE_OF_A_CITE = {r: S.CITE for r in Role if r != R.NATIONAL}
_OWN_STRUCTURE_OR_CITE = {
    R.COORDINATOR: S.CITE,
    R.REFERENT: S.OWN_STRUCTURE,
    R.PARTNER_MEMBER: S.OWN_STRUCTURE,
}

POLICY: dict[str, dict[Role, Scope]] = {
    "service.view": _EVERY_ROLE_OF_A_CITE | {R.NATIONAL: S.ALL},
    "service.create": dict(_OWN_STRUCTURE_OR_CITE),
    "service.edit": dict(_OWN_STRUCTURE_OR_CITE),
    "service.import": dict(_OWN_STRUCTURE_OR_CITE),
    "service.export": _EVERY_ROLE_OF_A_CITE | {R.NATIONAL: S.ALL},
    "service.stale_list": {R.COORDINATOR: S.CITE},
    "service.unmet_needs": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE, R.NATIONAL: S.ALL},
}
