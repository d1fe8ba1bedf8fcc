"""Situations of the tracking tests, written through the services like real use."""

from datetime import date

from citemploi.tracking import services
from tests.factories import BeneficiaryFactory, ctx_for


def person_of(world, **kwargs):
    """A person France Travail is responsible for, with `world.referent_ft` as référent."""
    values = {"cite": world.cite, "responsible_structure": world.ft, "referent": world.referent_ft.user}
    return BeneficiaryFactory(**(values | kwargs))


def entry(world, person, membership=None, **kwargs):
    values = {"kind": "phone", "occurred_on": date(2026, 1, 5), "text": "Point sur la recherche d'emploi."}
    values.update(kwargs)
    return services.write_entry(ctx=ctx_for(membership or world.referent_ft), beneficiary=person, **values)


def job_outcome(world, person, outcome_on, membership=None, **kwargs):
    values = {"type": "sustainable_job", "contract_type": "cdi", "employer": "Boulangerie du Nord"}
    values.update(kwargs)
    return services.record_outcome(
        ctx=ctx_for(membership or world.referent_ft), beneficiary=person, outcome_on=outcome_on, **values
    )
