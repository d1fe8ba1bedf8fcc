"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

A person's diagnostic and plan are personal data: the coordinator sees the cité's people, a référent the
people their structure follows (responsible, or in the follow-up group while sharing is consented); only the
responsible structure (and the coordination) writes the diagnostic and the plan, and hands a person over.
Steering, reviewers, holders and national users never see a diagnostic. Sensitive barriers (health,
disability, justice, addiction) follow `beneficiary.view_sensitive` / `beneficiary.edit_sensitive`.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "pathway.view": {R.COORDINATOR: S.CITE, R.REFERENT: S.STRUCTURE},
    "pathway.edit": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "pathway.handover": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
}
