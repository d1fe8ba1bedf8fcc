"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

- Coordinators see their cité's indicators exactly and manage the national quarterly questionnaire.
- Steering members see their cité's dashboards through statistical secrecy (aggregates leave the coordination).
- The report for the steering committee (Copil) is downloaded by the coordination, which prepares the meeting,
  and by steering members; its figures are those a steering member sees.
- The national animator (ANCT) sees aggregates across cités, protected, on the national page only.
- Référents, partner members, commission members, reviewers and holders have no dashboard: they follow their
  own people and files on their own screens (a référent's list, a holder's files); figures about the whole
  cité are for the coordination and its steering committee.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "indicator.view": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE, R.NATIONAL: S.ALL},
    "indicator.national": {R.NATIONAL: S.ALL},
    "indicator.export": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE, R.NATIONAL: S.ALL},
    "copil_report.download": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE},
    "questionnaire.manage": {R.COORDINATOR: S.CITE},
    "questionnaire.view": {R.COORDINATOR: S.CITE, R.STEERING: S.CITE, R.NATIONAL: S.ALL},
}
