"""Objects of the orientations screens for the generated permission matrix (tests/core/test_policy_matrix.py).

The matrix's person is followed by France Travail (the référent and member personas' structure):
- the orientation page and the answer are given an orientation *received* by France Travail (sent by the
  Mission locale), which the coordinator, France Travail's référent and member all reach;
- the withdrawal is given an orientation *sent* by France Travail's référent to the Mission locale;
- the creation form is given the matrix's person and a Mission locale service.
"""

from django.utils import timezone

from citemploi.orientations import services
from tests.factories import BeneficiaryFactory, ctx_for, member, with_sharing_consent
from tests.offer.factories import ServiceFactory


def received_by_ft(world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ml, referent=world.referent_ml.user
    )
    with_sharing_consent(person)
    return services.send_orientation(
        ctx=ctx_for(world.referent_ml),
        beneficiary=person,
        service=ServiceFactory(structure=world.ft),
        message="Inscription et accompagnement renforcé.",
        now=timezone.now(),
    ).orientation


def sent_by_ft(world, person):
    member(world.cite, "partner_member", world.ml)
    return services.send_orientation(
        ctx=ctx_for(world.referent_ft),
        beneficiary=person,
        service=ServiceFactory(structure=world.ml),
        message="Atelier de remobilisation.",
        now=timezone.now(),
    ).orientation


def url_kwargs(name: str, keys: set[str], world, person) -> dict | None:
    if not name.startswith("orientations:"):
        return None
    short = name.split(":", 1)[1]
    if short == "withdraw":
        return {"pk": sent_by_ft(world, person).pk}
    if "pk" in keys:
        return {"pk": received_by_ft(world).pk}
    return {}
