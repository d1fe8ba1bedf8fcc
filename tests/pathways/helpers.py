"""Objects of the pathways tests, built through the services like real use."""

from citemploi.pathways import services
from citemploi.pathways.models import BarrierRecord, Objective, PlanAction
from tests.factories import BeneficiaryFactory, ctx_for, in_followup_group, with_sharing_consent


def followed_by_ft(world, **kwargs):
    """A person France Travail is responsible for, with the persona référent, shared with the Mission locale."""
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user, **kwargs
    )
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    return person


def barrier(world, person, code="mobilite", **kwargs) -> BarrierRecord:
    return services.add_barrier(ctx=ctx_for(world.referent_ft), beneficiary=person, barrier=code, **kwargs)


def objective(world, person, title="Passer le permis", barriers=()) -> Objective:
    return services.add_objective(
        ctx=ctx_for(world.referent_ft), beneficiary=person, title=title, barriers=list(barriers)
    )


def action(world, obj, title="S'inscrire à l'auto-école sociale", **kwargs) -> PlanAction:
    kwargs.setdefault("owner_structure", world.ft)
    return services.add_action(ctx=ctx_for(world.referent_ft), objective=obj, title=title, **kwargs)
