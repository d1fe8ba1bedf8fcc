"""Demo journal entries and outcomes for the people of the demo cité, written through the services.

Deterministic from `world.rng`, dates relative to `world.today`: most people had a recent contact, some have
had none for 45 days (the référents' home page shows them at risk), some left for a job or a training months
ago, so that follow-up checks are due.
"""

from datetime import timedelta

from citemploi.core.context import ActingContext
from citemploi.people import queries as people_queries
from citemploi.tracking import services

CONTACT_TEXTS = (
    ("phone", "Point téléphonique sur les candidatures envoyées cette semaine."),
    ("visit", "Entretien de suivi : CV mis à jour, deux offres repérées ensemble."),
    ("message", "Envoi par e-mail de trois offres correspondant au projet."),
    ("appointment", "Rendez-vous pour préparer l'entretien d'embauche de jeudi."),
    ("step", "Inscription validée à l'atelier de recherche d'emploi."),
)
OTHER_TEXTS = (
    ("event", "Participation au job dating du quartier, deux entretiens obtenus."),
    ("immersion", "Immersion (PMSMP) d'une semaine en logistique."),
    ("training", "Début d'une formation courte en bureautique."),
)
EMPLOYERS = (
    "Boulangerie Au Bon Pain",
    "Logistique Picarde",
    "Clinique vétérinaire de la Somme",
    "Mairie d'Amiens",
)


def build_demo(world) -> dict[str, int]:
    rng, today = world.rng, world.today
    entries = outcomes = due = 0
    for memberships in world.referents.values():
        for m in memberships:
            ctx = ActingContext(user=m.user, membership=m, via="cli")
            people = (
                people_queries.beneficiaries_for(ctx, "journal.write")
                .filter(responsible_structure_id=m.structure_id, referent_id=m.user_id)
                .order_by("pk")
            )
            for person in people:
                roll = rng.random()
                if roll < 0.2:
                    # No contact for 45 days: a dropping-out risk on the référent's home page.
                    kind, text = rng.choice(CONTACT_TEXTS)
                    services.write_entry(
                        ctx=ctx,
                        beneficiary=person,
                        kind=kind,
                        occurred_on=today - timedelta(days=45),
                        text=text,
                    )
                    entries += 1
                    continue
                for days in sorted(rng.sample(range(2, 25), rng.randint(1, 3)), reverse=True):
                    kind, text = rng.choice(CONTACT_TEXTS + OTHER_TEXTS)
                    services.write_entry(
                        ctx=ctx,
                        beneficiary=person,
                        kind=kind,
                        occurred_on=today - timedelta(days=days),
                        text=text,
                        private_note="Rappeler en fin de semaine." if rng.random() < 0.2 else "",
                    )
                    entries += 1
                if roll > 0.88:
                    # Left for a job 7 months ago (3- and 6-month checks due) or a training 4 months ago.
                    job = roll > 0.94
                    outcome = services.record_outcome(
                        ctx=ctx,
                        beneficiary=person,
                        type="sustainable_job" if job else "qualifying_training",
                        outcome_on=services.add_months(today, -7 if job else -4),
                        employer=rng.choice(EMPLOYERS) if job else "AFPA Amiens",
                        contract_type="cdi" if job else "trainee",
                        weekly_hours=None,
                    )
                    outcomes += 1
                    checks = [c for c in outcome.checks.order_by("months") if c.due_on <= today]
                    if job and checks and rng.random() < 0.5:
                        services.record_check(ctx=ctx, check=checks[0], situation="same_job")
                        checks = checks[1:]
                    due += len(checks)
    return {"entrées de journal": entries, "sorties": outcomes, "points de suivi à faire": due}
