"""A person of `world.cite` with data in every domain, written through the services like real use."""

from dataclasses import dataclass
from datetime import date

from citemploi.people.models import Beneficiary, SensitiveInfo
from tests.cohorts.builders import open_cohort, proposed, with_commission_consent
from tests.factories import in_followup_group, with_sharing_consent
from tests.orientations.factories import sent_by_ft
from tests.partnership.factories import EventFactory, attended
from tests.pathways.helpers import action, barrier, objective
from tests.tracking.helpers import entry, job_outcome, person_of

JOURNAL_TEXT = "Entretien : souhaite travailler dans la logistique."
PRIVATE_NOTE = "Note privée du référent, jamais exportée."
BARRIER_COMMENT = "Pas de voiture, bus rares le matin."
ORIENTATION_MESSAGE = "Besoin du permis pour un poste d'aide à domicile."
COHORT_REASON = "Inscrite depuis 18 mois, motivée"
EMPLOYER = "Boulangerie du Nord"


@dataclass
class FullPerson:
    person: Beneficiary
    entry: object
    outcome: object
    barrier: object
    objective: object
    action: object
    orientation: object
    member: object
    event: object
    participation: object


def full_person(world, **identity) -> FullPerson:
    identity.setdefault("first_name", "Zénobie")
    identity.setdefault("last_name", "Quarantebert")
    person = person_of(world, qpv=world.qpv, **identity)
    with_sharing_consent(person)
    with_commission_consent(person)
    in_followup_group(person, world.ml)
    SensitiveInfo.objects.create(beneficiary=person, rqth=True)
    journal = entry(world, person, text=JOURNAL_TEXT, private_note=PRIVATE_NOTE, occurred_on=date(2024, 4, 2))
    outcome = job_outcome(world, person, date(2024, 5, 2), employer=EMPLOYER)
    record = barrier(world, person, comment=BARRIER_COMMENT)
    goal = objective(world, person, barriers=[record])
    step = action(world, goal)
    orientation = sent_by_ft(world, person=person, message=ORIENTATION_MESSAGE)
    member = proposed(world, open_cohort(world, structures=[world.ft]), person=person, reason=COHORT_REASON)
    event = EventFactory(cite=world.cite)
    participation = attended(event, person)
    return FullPerson(person, journal, outcome, record, goal, step, orientation, member, event, participation)
