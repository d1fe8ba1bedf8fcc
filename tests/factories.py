"""Factories named after real situations, and one persona per role."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Membership, Partnership, Structure
from citemploi.people.enums import ConsentMethod, ConsentScope
from citemploi.people.models import Beneficiary, Consent, FollowUpMember
from citemploi.people.services import identity_key
from citemploi.territory.models import QPV, Cite, Commune


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = factory.Sequence(lambda n: f"{80000 + n:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    department = "080"


class QPVFactory(DjangoModelFactory):
    class Meta:
        model = QPV
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"QN080{50 + n % 50:02d}{'MINC'[n // 50 % 4]}")
    name = factory.Sequence(lambda n: f"Quartier {n}")
    department = "080"


class CiteFactory(DjangoModelFactory):
    class Meta:
        model = Cite
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"cite-{n}")
    name = factory.Sequence(lambda n: f"Cité de l'emploi {n}")

    @factory.post_generation
    def with_qpv(self, create, extracted, **kwargs):
        if create and extracted is not False:
            self.qpvs.add(QPVFactory())


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("motdepasse-de-test-123")


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = StructureKind.ASSOCIATION

    class Params:
        france_travail = factory.Trait(
            kind=StructureKind.FRANCE_TRAVAIL, name=factory.Sequence(lambda n: f"France Travail agence {n}")
        )
        mission_locale = factory.Trait(
            kind=StructureKind.MISSION_LOCALE, name=factory.Sequence(lambda n: f"Mission locale {n}")
        )
        spip = factory.Trait(
            kind=StructureKind.JUSTICE, sensitive=True, name=factory.Sequence(lambda n: f"SPIP {n}")
        )


def partner_of(cite: Cite, **kwargs) -> Structure:
    structure = StructureFactory(**kwargs)
    Partnership.objects.create(cite=cite, structure=structure)
    return structure


def member(
    cite: Cite | None, role: str, structure: Structure | None = None, user: User | None = None
) -> Membership:
    return Membership.objects.create(user=user or UserFactory(), cite=cite, structure=structure, role=role)


def ctx_for(membership: Membership, via: str = "web") -> ActingContext:
    return ActingContext(user=membership.user, membership=membership, via=via)


class BeneficiaryFactory(DjangoModelFactory):
    class Meta:
        model = Beneficiary

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=64)
    cite = factory.SubFactory(CiteFactory)
    responsible_structure = factory.LazyAttribute(lambda o: partner_of(o.cite))
    identified_on = date(2024, 3, 1)
    identity_key = factory.LazyAttribute(lambda o: identity_key(o.first_name, o.last_name, o.birth_date))


def with_sharing_consent(beneficiary: Beneficiary, **kwargs) -> Consent:
    return Consent.objects.create(
        beneficiary=beneficiary,
        scope=ConsentScope.SHARING,
        method=ConsentMethod.WRITTEN,
        given_on=kwargs.pop("given_on", date(2024, 3, 1)),
        **kwargs,
    )


def in_followup_group(beneficiary: Beneficiary, structure: Structure) -> FollowUpMember:
    return FollowUpMember.objects.create(beneficiary=beneficiary, structure=structure)
