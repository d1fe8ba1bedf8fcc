"""Builders of cohort situations for the tests (and the permission matrix)."""

from datetime import date

from citemploi.cohorts import services
from citemploi.cohorts.enums import CohortState
from citemploi.people.enums import ConsentMethod, ConsentScope
from citemploi.people.models import Consent
from tests.factories import BeneficiaryFactory, ctx_for


def with_commission_consent(beneficiary, **kwargs):
    return Consent.objects.create(
        beneficiary=beneficiary,
        scope=ConsentScope.COMMISSION,
        method=ConsentMethod.WRITTEN,
        given_on=kwargs.pop("given_on", date(2024, 3, 1)),
        **kwargs,
    )


def open_cohort(world, name="Femmes demandeuses d'emploi de longue durée", structures=None, **data):
    ctx = ctx_for(world.coordinator)
    fields = {
        "name": name,
        "target_public": "Femmes inscrites depuis plus d'un an",
        "target_size": 10,
        "start_date": date(2024, 1, 1),
        **data,
    }
    cohort = services.create_cohort(
        ctx=ctx,
        data=fields,
        referent_structures=structures if structures is not None else [world.ft, world.ml],
    )
    services.set_cohort_state(ctx=ctx, cohort=cohort, state=CohortState.OPEN)
    cohort.refresh_from_db()
    return cohort


def candidate_person(world, structure=None, referent=None, **kwargs):
    """A person followed by France Travail (by default) who agreed to be presented in commission."""
    structure = structure or world.ft
    person = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=structure,
        referent=(referent or world.referent_ft).user if structure == world.ft or referent else None,
        qpv=world.qpv,
        **kwargs,
    )
    with_commission_consent(person)
    return person


def proposed(world, cohort, person=None, referent=None, reason="Inscrite depuis 18 mois, motivée"):
    referent = referent or world.referent_ft
    person = person or candidate_person(world, structure=referent.structure, referent=referent)
    return services.propose(ctx=ctx_for(referent), cohort=cohort, beneficiary=person, reason=reason)


def session_with(world, cohort, members, *, convened=None, present=None, chair=None, held_on=None):
    convened = (
        convened if convened is not None else [world.coordinator, world.commission_member, world.referent_ft]
    )
    data = {"held_on": held_on or date(2024, 6, 10), "title": "Commission de juin"}
    if chair is not None:
        data["chair"] = chair
    return services.create_session(
        ctx=ctx_for(world.coordinator),
        data=data,
        cohorts=[cohort],
        convened=convened,
        present=present if present is not None else convened,
        agenda=members,
    )
