"""Services named after real situations of a cité's offer."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from citemploi.offer.enums import AreaKind, ServiceNature
from citemploi.offer.models import Service, ServiceArea, ServicePublic, ServiceTheme
from citemploi.offer.referentials import category_of


class ServiceFactory(DjangoModelFactory):
    """A published, fresh service; `themes`, `publics` and `areas` (codes) are given as lists (the traits
    preset them through `themes__preset` / `publics__preset`)."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Un accompagnement individuel, sur rendez-vous."
    nature = ServiceNature.DROIT_COMMUN
    last_updated_on = factory.LazyFunction(date.today)
    source = "citemploi"
    source_id = factory.Sequence(lambda n: f"citemploi--test{n:06d}")

    class Params:
        driving_school = factory.Trait(
            name="Auto-école sociale",
            description="Préparer le permis B à coût réduit, avec un suivi renforcé.",
            themes__preset=["mobilite--preparer-un-permis"],
            fees="payant",
            capacity=12,
            waiting_list=5,
        )
        french_course = factory.Trait(
            name="Atelier de français à visée professionnelle",
            description="Apprendre le français pour chercher un emploi : oral, écrit, vocabulaire du travail.",
            themes__preset=["lecture-ecriture-calcul--maitriser-le-francais"],
            publics__preset=["residents-qpv-frr", "personnes-exilees"],
            fees="gratuit",
        )
        childcare = factory.Trait(
            name="Crèche à vocation d'insertion professionnelle",
            description="Des places en crèche pour les parents qui reprennent un emploi ou une formation.",
            themes__preset=["famille--garde-denfants"],
            publics__preset=["familles"],
        )
        stale = factory.Trait(last_updated_on=date(2020, 1, 15))
        expired = factory.Trait(valid_until=date(2021, 12, 31))
        hidden = factory.Trait(published=False)
        aap_funded = factory.Trait(nature=ServiceNature.AAP)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        extracted = extracted if extracted is not None else kwargs.get("preset")
        if create and extracted:
            ServiceTheme.objects.bulk_create(
                ServiceTheme(service=self, code=code, category=category_of(code)) for code in extracted
            )

    @factory.post_generation
    def publics(self, create, extracted, **kwargs):
        extracted = extracted if extracted is not None else kwargs.get("preset")
        if create and extracted:
            ServicePublic.objects.bulk_create(ServicePublic(service=self, code=code) for code in extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        """Areas as (kind, code) pairs, or codes of communes."""
        if create and extracted:
            ServiceArea.objects.bulk_create(
                ServiceArea(service=self, kind=a[0], code=a[1])
                if isinstance(a, tuple)
                else ServiceArea(service=self, kind=AreaKind.COMMUNE, code=a)
                for a in extracted
            )
