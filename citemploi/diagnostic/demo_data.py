"""Demo data of the diagnostic: reference indicators of the demo cité's QPV. The figures are INVENTED (drawn
at random in plausible ranges) and the source says so: they must never be read as real statistics."""

from decimal import Decimal

from citemploi.demo.builder import DemoWorld
from citemploi.diagnostic import services

SOURCE = "Chiffres fictifs de démonstration — ne pas utiliser"


def _share(world: DemoWorld, low: int, high: int) -> Decimal:
    return Decimal(world.rng.randint(low * 10, high * 10)) / 10


def build_demo(world: DemoWorld) -> dict[str, int]:
    year = world.today.year - 1
    written = 0
    for qpv in sorted(world.qpvs.values(), key=lambda q: q.code):
        population = world.rng.randint(2500, 15000)
        services.save_reference(
            world.coordinator_ctx,
            qpv=qpv,
            year=year,
            version=None,
            values={
                "source": SOURCE,
                "population": population,
                "job_seekers": population * world.rng.randint(12, 20) // 100,
                "rsa_recipients": population * world.rng.randint(6, 12) // 100,
                "share_15_24": _share(world, 14, 22),
                "share_over_50": _share(world, 20, 30),
                "share_no_diploma": _share(world, 28, 45),
                "unemployment_rate": _share(world, 18, 32),
                "poverty_rate": _share(world, 35, 55),
            },
        )
        written += 1
    return {"Indicateurs de référence de QPV (fictifs)": written}
