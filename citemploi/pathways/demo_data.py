"""Demo data of the pathways domain: diagnostics, plans and a few hand-overs for the Amiens demo cité.

Written through the services, acting as each person's référent (sensitive barriers only by the responsible
référent, like in real use) or as the coordination; deterministic from `world.rng`, dated from `world.today`.
"""

from datetime import timedelta
from typing import Any

from citemploi.core.context import ActingContext
from citemploi.offer.referentials import BARRIERS_BY_CODE
from citemploi.partners.models import Membership
from citemploi.pathways import services
from citemploi.pathways.enums import BarrierSeverity, BarrierSource, BarrierState, PlanActionStatus
from citemploi.pathways.models import Situation
from citemploi.people import queries as people_queries
from citemploi.people.enums import ConsentMethod

#: how often each barrier comes up in the demo (the most frequent first, as partners report them)
BARRIER_WEIGHTS = {
    "mobilite": 18,
    "confiance-remobilisation": 14,
    "numerique": 12,
    "contraintes-familiales": 11,
    "langue-francaise": 9,
    "precarite-financiere": 9,
    "difficultes-administratives": 8,
    "logement": 7,
    "reseau-professionnel": 7,
    "savoirs-de-base": 5,
    "sante-handicap": 4,
}

OBJECTIVES = {
    "mobilite": ("Gagner en mobilité", "S'inscrire à l'auto-école sociale"),
    "confiance-remobilisation": ("Reprendre confiance", "Participer aux ateliers de remobilisation"),
    "numerique": ("Devenir autonome sur internet", "Suivre l'atelier numérique du centre social"),
    "contraintes-familiales": ("Trouver un mode de garde", "Demander une place en crèche d'insertion"),
    "langue-francaise": ("Progresser en français", "S'inscrire au cours de français à visée professionnelle"),
    "precarite-financiere": ("Stabiliser son budget", "Rendez-vous avec le conseiller budget du CCAS"),
    "difficultes-administratives": ("Régulariser ses démarches", "Accompagnement aux démarches en ligne"),
    "logement": ("Accéder à un logement stable", "Déposer une demande de logement social"),
    "reseau-professionnel": ("Rencontrer des employeurs", "Participer au prochain job dating"),
    "savoirs-de-base": ("Consolider les savoirs de base", "Entrer en formation savoirs de base"),
    "sante-handicap": ("Faire le point sur sa santé", "Bilan de santé au centre d'examens"),
}


def _acting(membership: Membership) -> ActingContext:
    return ActingContext(user=membership.user, membership=membership, via="cli")


def build_demo(world: Any) -> dict[str, int]:
    rng = world.rng
    today = world.today
    referent_memberships = {m.user_id: m for ms in world.referents.values() for m in ms}
    situations: dict[str, list[Situation]] = {}
    for s in Situation.objects.filter(active=True, source="citemploi").order_by("code"):
        situations.setdefault(s.barrier, []).append(s)
    people = list(
        people_queries.beneficiaries_for(world.coordinator_ctx)
        .select_related("responsible_structure", "referent")
        .order_by("pk")
    )
    codes = list(BARRIER_WEIGHTS)
    weights = list(BARRIER_WEIGHTS.values())
    counts = {"barriers": 0, "objectives": 0, "actions": 0, "handovers": 0}
    for person in people:
        if rng.random() > 0.65:  # about two people in three have a diagnostic
            continue
        membership = referent_memberships.get(person.referent_id) if person.referent_id else None
        ctx = _acting(membership) if membership is not None else world.coordinator_ctx
        may_sensitive = membership is not None and membership.structure_id == person.responsible_structure_id
        chosen: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            code = rng.choices(codes, weights)[0]
            if code in chosen or (BARRIERS_BY_CODE[code].sensitive and not may_sensitive):
                continue
            chosen.append(code)
        earliest = person.identified_on
        for code in chosen:
            options = [s for s in situations.get(code, []) if may_sensitive or not s.sensitive]
            days = rng.randint(3, 150)
            identified_on = max(earliest, today - timedelta(days=days))
            record = services.add_barrier(
                ctx=ctx,
                beneficiary=person,
                barrier=code,
                situation=rng.choice(options) if options and rng.random() < 0.8 else None,
                severity=rng.choice(BarrierSeverity.values),
                source=rng.choice(
                    [BarrierSource.INTERVIEW] * 3 + [BarrierSource.PARTNER, BarrierSource.SELF_ASSESSMENT]
                ),
                identified_on=min(identified_on, today),
            )
            counts["barriers"] += 1
            roll = rng.random()
            if roll < 0.55:
                title, action_title = OBJECTIVES[code]
                objective = services.add_objective(
                    ctx=ctx, beneficiary=person, title=title, barriers=[record]
                )
                counts["objectives"] += 1
                action = services.add_action(
                    ctx=ctx,
                    objective=objective,
                    title=action_title,
                    owner_structure=person.responsible_structure,
                    owner_membership=membership,
                    due_on=today + timedelta(days=rng.randint(-25, 45)),
                )
                counts["actions"] += 1
                if rng.random() < 0.4:
                    services.transition_action(ctx=ctx, action=action, to_status=PlanActionStatus.IN_PROGRESS)
                    if rng.random() < 0.6:
                        services.transition_action(ctx=ctx, action=action, to_status=PlanActionStatus.DONE)
                        record.refresh_from_db()
                        services.transition_barrier(
                            ctx=ctx,
                            record=record,
                            to_state=rng.choice(
                                [BarrierState.LIFTED, BarrierState.LIFTED, BarrierState.PERSISTING]
                            ),
                            reason="Bilan de l'action",
                        )
            elif roll < 0.65:
                services.transition_barrier(
                    ctx=ctx,
                    record=record,
                    to_state=BarrierState.NOT_ADDRESSED,
                    reason="La personne ne souhaite pas travailler ce frein pour l'instant",
                )
    counts["handovers"] = _handovers(world, people, referent_memberships)
    return {
        "Freins identifiés (diagnostics)": counts["barriers"],
        "Objectifs de plan d'action": counts["objectives"],
        "Actions de plan d'action": counts["actions"],
        "Passages de relais": counts["handovers"],
    }


def _handovers(world: Any, people: list, referent_memberships: dict[int, Membership]) -> int:
    """Two young people of France Travail handed over to the Mission locale, with their written consent."""
    ml = world.structures.get("ml")
    ml_referents = world.referents.get("ml") or []
    if ml is None or not ml_referents:
        return 0
    done = 0
    for person in people:
        if done == 2:
            break
        membership = referent_memberships.get(person.referent_id) if person.referent_id else None
        if (
            membership is None
            or person.responsible_structure.kind != "france_travail"
            or membership.structure_id != person.responsible_structure_id
            or person.age_band != "jeunes"
        ):
            continue
        services.hand_over(
            ctx=_acting(membership),
            beneficiary=person,
            to_structure=ml,
            to_referent=ml_referents[0].user,
            reason="Moins de 26 ans : accompagnement en contrat d'engagement jeune par la Mission locale",
            consent_given_on=world.today - timedelta(days=2),
            consent_method=ConsentMethod.WRITTEN,
            keep_in_followup=True,
        )
        done += 1
    return done
