from django.db import transaction

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.territory.models import QPV


@transaction.atomic
def update_qpv(*, ctx: ActingContext, qpv: QPV, veille_active: bool, population: int | None) -> QPV:
    """A coordinator records that a QPV of their cité is "en veille active" (no longer eligible to the AAP)
    and its population."""
    require(ctx, "qpv.edit")
    before = audit.snapshot(qpv, ["veille_active", "population"])
    qpv.veille_active = veille_active
    qpv.population = population
    changes = audit.diff(qpv, before, ["veille_active", "population"])
    if changes:
        qpv.save(update_fields=list(changes))
        audit.log(ctx, "qpv.update", qpv, changes=changes)
    return qpv
