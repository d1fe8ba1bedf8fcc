"""Factories of the partnership domain, named after real situations."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from citemploi.partnership.enums import CommitteeKind, EmployerOfferKind, EventKind, EventRole, Stake
from citemploi.partnership.models import (
    Committee,
    CommitteeMember,
    Employer,
    EmployerContact,
    EmployerOffer,
    Event,
    EventStructure,
    Meeting,
    Objective,
    Participation,
    RoadmapAction,
)
from citemploi.people.enums import Gender
from citemploi.people.models import age_band_on
from tests.factories import CiteFactory


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    cite = factory.SubFactory(CiteFactory)
    kind = CommitteeKind.COPIL
    name = factory.Sequence(lambda n: f"Comité de pilotage {n}")

    class Params:
        cotech = factory.Trait(
            kind=CommitteeKind.COTECH, name=factory.Sequence(lambda n: f"Comité technique {n}")
        )
        commission = factory.Trait(
            kind=CommitteeKind.COMMISSION, name=factory.Sequence(lambda n: f"Commission des partenaires {n}")
        )


def seat(committee: Committee, structure=None, user=None, **kwargs) -> CommitteeMember:
    """Seat someone on a committee (a user of the cité, or a named person without an account)."""
    if user is None and "full_name" not in kwargs:
        kwargs["full_name"] = f"Représentant·e {structure.name if structure else 'élu·e'}"
    return CommitteeMember.objects.create(committee=committee, structure=structure, user=user, **kwargs)


class MeetingFactory(DjangoModelFactory):
    """A meeting next month, two hours long."""

    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    title = "Copil de printemps"
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=30)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Hôtel de ville, salle du conseil"
    agenda = "Bilan des actions\nAppel à projets 2025"

    class Params:
        held_last_month = factory.Trait(
            starts_at=factory.LazyFunction(
                lambda: (timezone.now() - timedelta(days=30)).replace(microsecond=0)
            )
        )


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    cite = factory.SubFactory(CiteFactory)
    stake = Stake.DROIT_COMMUN
    title = factory.Sequence(lambda n: f"Raccrocher les invisibles au droit commun {n}")


class RoadmapActionFactory(DjangoModelFactory):
    class Meta:
        model = RoadmapAction

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Permanences emploi itinérantes {n}")


class EventFactory(DjangoModelFactory):
    """A café emploi in a QPV, organised by a structure given with `organised_by`."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    cite = factory.SubFactory(CiteFactory)
    kind = EventKind.CAFE_EMPLOI
    title = factory.Sequence(lambda n: f"Café emploi n° {n}")
    date = date(2024, 3, 14)
    place = "Centre social Alco"

    class Params:
        job_dating = factory.Trait(
            kind=EventKind.JOB_DATING, title=factory.Sequence(lambda n: f"Job dating {n}")
        )
        forum = factory.Trait(
            kind=EventKind.FORUM,
            title=factory.Sequence(lambda n: f"Forum de l'emploi {n}"),
            counted_total=700,
            counted_young=250,
            counted_women=380,
            counted_seniors=60,
            counted_qpv=420,
        )

    @factory.post_generation
    def organised_by(self, create, extracted, **kwargs):
        if create and extracted is not None:
            EventStructure.objects.create(event=self, structure=extracted, role=EventRole.ORGANISER)

    @factory.post_generation
    def partnered_by(self, create, extracted, **kwargs):
        if create and extracted:
            for structure in extracted:
                EventStructure.objects.create(event=self, structure=structure, role=EventRole.PARTNER)


def attended(event: Event, beneficiary, **kwargs) -> Participation:
    """A named person's attendance, with the anonymous statistics the service would take."""
    return Participation.objects.create(
        event=event,
        beneficiary=beneficiary,
        is_woman=beneficiary.gender == Gender.FEMALE,
        age_band=age_band_on(beneficiary.birth_date, event.date) or "",
        qpv_resident=beneficiary.qpv_id is not None,
        **kwargs,
    )


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    cite = factory.SubFactory(CiteFactory)
    name = factory.Sequence(lambda n: f"Transports Picards {n}")
    sector = "Transport et logistique"


def offers(employer: Employer, kind: str = EmployerOfferKind.IMMERSION, **kwargs) -> EmployerOffer:
    return EmployerOffer.objects.create(employer=employer, kind=kind, **kwargs)


def contact(employer: Employer, **kwargs) -> EmployerContact:
    return EmployerContact.objects.create(
        employer=employer,
        full_name=kwargs.pop("full_name", "Nadia Haddad"),
        function="Responsable RH",
        **kwargs,
    )
