"""This domain's entries of the permission policy (merged into citemploi.core.policy.POLICY).

- `orientation.view`: coordinators see the cité's orientations; a référent those sent and received by their
  structure; a partner member those received by their structure. Orientations to a sensitive structure are
  seen, on the sending side, only by the person who sent them (see citemploi.orientations.queries).
- `orientation.send`: the structure responsible for the person orients them (RESPONSIBLE_STRUCTURE): it carries
  the pathway and collected the consent to sharing; follow-up group members suggest, they do not send the
  person's data on to a third structure. Coordinators may orient anyone of the cité.
- `orientation.answer`: référents and members of the receiving structure answer (accept, refuse, start,
  complete, abandon).
- `orientation.settings`: coordinators set the answer delay and the reminder.
"""

from citemploi.core.policy import Role, Scope

R = Role
S = Scope

POLICY: dict[str, dict[Role, Scope]] = {
    "orientation.view": {
        R.COORDINATOR: S.CITE,
        R.REFERENT: S.STRUCTURE,
        R.PARTNER_MEMBER: S.OWN_STRUCTURE,
    },
    "orientation.send": {R.COORDINATOR: S.CITE, R.REFERENT: S.RESPONSIBLE_STRUCTURE},
    "orientation.answer": {R.REFERENT: S.OWN_STRUCTURE, R.PARTNER_MEMBER: S.OWN_STRUCTURE},
    "orientation.settings": {R.COORDINATOR: S.CITE},
}
