"""Orientations named after real situations: France Travail orients a person to the Mission locale's service."""

from datetime import date, datetime

from django.utils import timezone

from citemploi.orientations import services
from citemploi.orientations.models import Orientation
from tests.factories import BeneficiaryFactory, ctx_for, with_sharing_consent
from tests.offer.factories import ServiceFactory


def followed_by_ft(world, **kwargs):
    """A person of France Travail (référent: `world.referent_ft`) who consented to sharing."""
    person = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        referent=world.referent_ft.user,
        first_name=kwargs.pop("first_name", "Awa"),
        last_name=kwargs.pop("last_name", "Diallo"),
        birth_date=kwargs.pop("birth_date", date(1990, 5, 17)),
        email=kwargs.pop("email", "awa.diallo@example.org"),
        phone=kwargs.pop("phone", "06 12 34 56 78"),
        **kwargs,
    )
    with_sharing_consent(person)
    return person


def service_of(structure, **kwargs):
    return ServiceFactory(structure=structure, **kwargs)


def sent_by_ft(world, *, person=None, service=None, now: datetime | None = None, **kwargs) -> Orientation:
    """An orientation sent by France Travail's référent to a service of the Mission locale."""
    person = person or followed_by_ft(world)
    service = service or service_of(world.ml, driving_school=True)
    return services.send_orientation(
        ctx=ctx_for(world.referent_ft),
        beneficiary=person,
        service=service,
        message=kwargs.pop("message", "Besoin du permis pour un poste d'aide à domicile."),
        shared_groups=kwargs.pop("shared_groups", ["mobility"]),
        now=now or timezone.now(),
        **kwargs,
    ).orientation


def moved(world, orientation: Orientation, *targets: str) -> Orientation:
    """Answer as the Mission locale's référent through the given states."""
    ctx = ctx_for(world.referent_ml)
    for target in targets:
        orientation = services.answer(
            ctx=ctx,
            orientation=orientation,
            target=target,
            refusal_reason="no_capacity" if target == "refused" else "",
            outcome="Permis obtenu." if target == "completed" else "",
            details="La personne a déménagé." if target == "abandoned" else "",
        )
    return orientation
