"""Demo cohorts of the Amiens demo cité: "Femmes demandeuses d'emploi de longue durée" (France Travail)
and "Jeunes en CEJ" (Mission locale), with candidates in every state, two past commission sessions (closed)
and the next one being prepared. Written through the services, deterministic from the demo's random
generator, dated relative to its `today`."""

from datetime import date, timedelta

from citemploi.cohorts import services
from citemploi.cohorts.enums import CohortState, CommissionOutcome, ExitReason, NotRetainedReason
from citemploi.cohorts.models import Cohort, CohortMember
from citemploi.core.context import ActingContext
from citemploi.demo.builder import DemoWorld
from citemploi.partners.models import Membership
from citemploi.people import queries as people_queries
from citemploi.people import services as people_services
from citemploi.people.enums import AgeBand, ConsentMethod, ConsentScope, Gender
from citemploi.people.models import Beneficiary

REASONS = (
    "Inscrit·e depuis plus d'un an, projet professionnel clarifié, disponible rapidement.",
    "Souhaite reprendre une activité après une longue interruption ; freins de garde en cours de levée.",
    "Motivation forte, a besoin d'un accompagnement collectif pour reprendre confiance.",
    "Projet de formation qualifiante à consolider avec un collectif.",
)


def _ctx(m: Membership) -> ActingContext:
    return ActingContext(user=m.user, membership=m, via="cli")


def _pick(world: DemoWorld, referent: Membership, count: int, *, young: bool = False, women: bool = False):
    """People the référent's structure may propose and is responsible for (it records their consent to be
    presented in commission), preferring the cohort's public."""
    ctx = _ctx(referent)
    responsible = people_queries.beneficiaries_for(ctx, "beneficiary.consent").values("pk")
    people = list(
        people_queries.beneficiaries_for(ctx, "cohort.propose").filter(pk__in=responsible).order_by("pk")
    )
    preferred = [
        b
        for b in people
        if (not women or b.gender == Gender.FEMALE) and (not young or b.age_band == AgeBand.YOUNG)
    ]
    chosen = preferred if len(preferred) >= count else preferred + [b for b in people if b not in preferred]
    world.rng.shuffle(chosen)
    return chosen[:count]


def _propose(
    world: DemoWorld, referent: Membership, cohort: Cohort, person: Beneficiary, on: date
) -> CohortMember:
    ctx = _ctx(referent)
    if not people_queries.has_active_consent(person, ConsentScope.COMMISSION):
        people_services.record_consent(
            ctx=ctx,
            beneficiary=person,
            scope=ConsentScope.COMMISSION,
            method=ConsentMethod.WRITTEN,
            given_on=on,
        )
    return services.propose(
        ctx=ctx, cohort=cohort, beneficiary=person, reason=world.rng.choice(REASONS), proposed_on=on
    )


def _sit(world: DemoWorld, held_on: date, cohorts, decisions, convened, present) -> None:
    coordinator = world.coordinator_ctx
    session = services.create_session(
        ctx=coordinator,
        data={
            "held_on": held_on,
            "title": f"Commission des cohortes de {held_on:%m/%Y}",
            "place": "Maison de l'emploi",
        },
        cohorts=cohorts,
        convened=convened,
        present=present,
        agenda=[m for m, _ in decisions],
    )
    for member, outcome in decisions:
        if outcome is None:
            continue
        extra = {}
        if outcome == CommissionOutcome.NOT_RETAINED:
            extra = {
                "not_retained_reason": world.rng.choice(
                    [NotRetainedReason.CRITERIA, NotRetainedReason.OTHER_SCHEME]
                )
            }
        services.record_decision(
            ctx=coordinator,
            session=session,
            member=member,
            outcome=outcome,
            reason="Décision prise à l'unanimité des présent·es."
            if outcome == CommissionOutcome.INTEGRATED
            else "",
            **extra,
        )
    if held_on <= world.today:
        services.close_session(ctx=coordinator, session=session)


def build_demo(world: DemoWorld) -> dict[str, int]:
    today = world.today
    ft_key = (
        "ft_nord"
        if world.referents.get("ft_nord")
        else next(k for k in world.referents if k.startswith("ft"))
    )
    ref_ft = world.referents[ft_key][0]
    ref_ml = world.referents["ml"][0]
    coordinator = world.coordinator_ctx
    women = services.create_cohort(
        ctx=coordinator,
        data={
            "name": "Femmes demandeuses d'emploi de longue durée",
            "target_public": "Femmes résidant en QPV, inscrites à France Travail depuis plus d'un an.",
            "gender": Gender.FEMALE,
            "qpv_residents_only": True,
            "followed_by_kind": "france_travail",
            "criteria_text": "Priorité aux mères isolées.",
            "target_size": 50,
            "start_date": today - timedelta(days=180),
            "end_date": today + timedelta(days=185),
        },
        referent_structures=[world.structures[k] for k in world.structures if k.startswith("ft")],
    )
    young = services.create_cohort(
        ctx=coordinator,
        data={
            "name": "Jeunes en CEJ",
            "target_public": "Jeunes de moins de 26 ans des QPV en contrat d'engagement jeune.",
            "age_band": AgeBand.YOUNG,
            "schemes": ["cej"],
            "qpv_residents_only": True,
            "followed_by_kind": "mission_locale",
            "target_size": 30,
            "start_date": today - timedelta(days=150),
        },
        referent_structures=[world.structures["ml"]],
    )
    for cohort in (women, young):
        services.set_cohort_state(ctx=coordinator, cohort=cohort, state=CohortState.OPEN)

    f = [
        _propose(world, ref_ft, women, p, today - timedelta(days=100 - 3 * n))
        for n, p in enumerate(_pick(world, ref_ft, 9, women=True))
    ]
    y = [
        _propose(world, ref_ml, young, p, today - timedelta(days=95 - 3 * n))
        for n, p in enumerate(_pick(world, ref_ml, 7, young=True))
    ]

    if len(f) < 7 or len(y) < 6:
        # A demo with very few people (`citemploi demo --people 5`): the cohorts and proposals only.
        return {"cohortes": 2, "candidatures en cohorte": len(f) + len(y)}
    commission = world.memberships.get("commission", [])
    convened = [coordinator.membership, *commission, ref_ft, ref_ml]
    convened = [m for m in convened if m is not None]
    present = [m for m in convened if m != ref_ml]
    INT, WAIT, NOT = CommissionOutcome.INTEGRATED, CommissionOutcome.WAITING, CommissionOutcome.NOT_RETAINED  # noqa: N806 - short labels
    _sit(
        world,
        today - timedelta(days=70),
        [women, young],
        [(f[0], INT), (f[1], INT), (f[2], WAIT), (f[3], NOT), (y[0], INT), (y[1], WAIT), (y[2], INT)],
        convened,
        present,
    )
    _sit(
        world,
        today - timedelta(days=35),
        [women, young],
        [(f[2], INT), (f[4], INT), (f[5], WAIT), (y[1], INT), (y[3], NOT), (y[4], INT)],
        convened,
        convened,
    )
    services.exit_member(
        ctx=coordinator,
        member=f[0],
        reason=ExitReason.SOLUTION,
        details="CDI d'aide-soignante",
        exited_on=today - timedelta(days=12),
    )
    services.exit_member(
        ctx=coordinator, member=y[0], reason=ExitReason.MOVED, exited_on=today - timedelta(days=5)
    )
    # The next session, being prepared: the waiting and the last proposed people on its agenda.
    _sit(
        world,
        today + timedelta(days=10),
        [women, young],
        [(f[5], None), (f[6], None), (y[5], None)],
        convened,
        [],
    )
    return {
        "cohortes": 2,
        "candidatures en cohorte": len(f) + len(y),
        "séances de commission": 3,
    }
