"""The permission policy, as data: role × action → scope.

This table is the single source of truth read by the access helpers (citemploi.core.access and the
`queries.py` of each domain) and by the generated permission-matrix tests. Adding an action here without
an entry for a role means that role is denied.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinateur·rice de la cité"
    REFERENT = "referent", "Référent·e de parcours"
    PARTNER_MEMBER = "partner_member", "Membre d'une structure partenaire"
    COMMISSION_MEMBER = "commission_member", "Membre de la commission"
    STEERING = "steering", "Membre du comité de pilotage"
    REVIEWER = "reviewer", "Instructeur·rice d'appel à projets"
    HOLDER = "holder", "Porteur de projet"
    NATIONAL = "national", "Animation nationale (ANCT)"


class Scope(StrEnum):
    """How far an allowed action reaches."""

    NONE = "none"
    #: every cité of the instance (aggregates only for national users)
    ALL = "all"
    #: objects of the current cité
    CITE = "cite"
    #: people the current structure is responsible for, or follows in a follow-up group with consent
    STRUCTURE = "structure"
    #: people the current structure is responsible for (not mere follow-up group members)
    RESPONSIBLE_STRUCTURE = "responsible_structure"
    #: people whose responsible référent is the user
    RESPONSIBLE = "responsible"
    #: the user's own structure only
    OWN_STRUCTURE = "own_structure"


R = Role
S = Scope

#: action → {role: scope}. Missing role = denied.
POLICY: dict[str, dict[Role, Scope]] = {
    # Territory
    "cite.view": {r: S.CITE for r in Role if r != R.NATIONAL} | {R.NATIONAL: S.ALL},
    "qpv.view": {r: S.CITE for r in Role if r != R.NATIONAL} | {R.NATIONAL: S.ALL},
    "qpv.edit": {R.COORDINATOR: S.CITE},
    # Partners
    "structure.view": {r: S.CITE for r in Role if r != R.NATIONAL},
    "structure.create": {R.COORDINATOR: S.CITE},
    "structure.edit": {
        R.COORDINATOR: S.CITE,
        R.REFERENT: S.OWN_STRUCTURE,
        R.PARTNER_MEMBER: S.OWN_STRUCTURE,
    },
    "membership.manage": {R.COORDINATOR: S.CITE},
    # People (personal data): steering, reviewers, holders and national users never see a person.
    "beneficiary.view": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "beneficiary.create": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "beneficiary.edit": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "beneficiary.view_sensitive": {R.REFERENT: S.RESPONSIBLE},
    "beneficiary.edit_sensitive": {R.REFERENT: S.RESPONSIBLE},
    "beneficiary.consent": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "beneficiary.followup_group": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "beneficiary.export": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "beneficiary.import": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "beneficiary.right_of_access": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    # Data-protection acts of the cité's coordination: erasure on request, break-glass access to sensitive
    # data (time-limited, justified, notified) and the review of those accesses.
    "beneficiary.erase": {R.COORDINATOR: S.CITE},
    "beneficiary.emergency_access": {R.COORDINATOR: S.CITE},
    "emergency_access.review": {R.COORDINATOR: S.CITE},
    # Audit
    "audit.view": {R.COORDINATOR: S.CITE},
}


def scope_for(role: str | None, action: str) -> Scope:
    """The scope a role has for an action (NONE when the policy says nothing)."""
    if action not in POLICY:
        raise KeyError(f"Unknown action {action!r}: add it to citemploi.core.policy.POLICY")
    if role is None:
        return Scope.NONE
    return POLICY[action].get(Role(role), Scope.NONE)


def is_allowed(role: str | None, action: str) -> bool:
    return scope_for(role, action) != Scope.NONE


#: Domains declare their actions in their own `policy.py`; they are merged here so that one table rules all.
DOMAIN_POLICY_MODULES = (
    "citemploi.offer.policy",
    "citemploi.partnership.policy",
    "citemploi.calls.policy",
    "citemploi.pathways.policy",
    "citemploi.tracking.policy",
    "citemploi.orientations.policy",
    "citemploi.cohorts.policy",
    "citemploi.reporting.policy",
    "citemploi.diagnostic.policy",
    "citemploi.budget.policy",
    "citemploi.secrecy.policy",
)


def _merge_domain_policies() -> None:
    from importlib import import_module

    for name in DOMAIN_POLICY_MODULES:
        for action, rules in import_module(name).POLICY.items():
            if action in POLICY:
                raise ValueError(f"Action {action!r} declared twice in the policy")
            POLICY[action] = rules


_merge_domain_policies()
ACTIONS = frozenset(POLICY)
