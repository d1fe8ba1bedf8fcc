"""A small data set of the diagnostic: people of the QPV with barriers, services and empty searches."""

from datetime import timedelta

from django.utils import timezone

from citemploi.offer.models import EmptySearch
from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord
from tests.factories import CommuneFactory, QPVFactory
from tests.offer.factories import ServiceFactory
from tests.pathways.helpers import barrier, followed_by_ft


def small_data_set(world):
    """Amiens Nord (world.qpv, commune 80021):
    - demand: mobility 2 people (a third one's barrier is lifted), digital 1; a person of another QPV with
      mobility is not counted;
    - supply: a driving school (barrier lifting, no area, partner of the cité), a French course (training,
      area: the commune); an expired driving school and a service of a non-partner elsewhere are not counted;
    - empty searches: digital 3 in the QPV this month, French 2 in its commune, digital 5 two years ago (too old).
    """
    today = timezone.localdate()
    commune = CommuneFactory(insee_code="80021", name="Amiens")
    world.qpv.communes.add(commune)
    for codes in (["mobilite", "numerique"], ["mobilite"]):
        person = followed_by_ft(world, qpv=world.qpv)
        for code in codes:
            barrier(world, person, code)
    lifted = barrier(world, followed_by_ft(world, qpv=world.qpv), "mobilite")
    BarrierRecord.objects.filter(pk=lifted.pk).update(state=BarrierState.LIFTED)
    elsewhere = QPVFactory(code="QN08099Z", name="Ailleurs")
    barrier(world, followed_by_ft(world, qpv=elsewhere), "mobilite")
    ServiceFactory(driving_school=True, structure=world.ft, step="levee_freins")
    ServiceFactory(driving_school=True, structure=world.ft, step="levee_freins", expired=True)
    ServiceFactory(french_course=True, structure=world.asso, step="formation", areas=["80021"])
    ServiceFactory(driving_school=True, structure=world.other_structure, areas=["72181"])
    EmptySearch.objects.create(searched_on=today, barrier="numerique", qpv_code=world.qpv.code, count=3)
    EmptySearch.objects.create(searched_on=today, barrier="langue-francaise", commune_code="80021", count=2)
    EmptySearch.objects.create(
        searched_on=today - timedelta(days=730), barrier="numerique", qpv_code=world.qpv.code, count=5
    )
