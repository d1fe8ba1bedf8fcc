"""Demo orientations of the Amiens cité: one in every state, between the demo structures, to services of the
demo directory, written through the services as the référents and the receiving structures would."""

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.offer.models import Service
from citemploi.orientations import services
from citemploi.orientations.enums import Channel, Status
from citemploi.orientations.machine import Actor, move
from citemploi.people import queries as people_queries
from citemploi.people import services as people_services
from citemploi.people.enums import ConsentMethod, ConsentScope

#: (sending structure, receiving structure, days ago, path of answers after sending, message)
SCENARIOS: list[tuple[str, str, int, list[str], str]] = [
    ("ft_nord", "ml", 2, [], "Jeune de 22 ans sans qualification : entrée en accompagnement CEJ à étudier."),
    (
        "ft_sud_est",
        "departement",
        9,
        [],
        "Allocataire du RSA : accompagnement socio-professionnel à engager.",
    ),
    ("ft_ouest", "of_numerique", 4, [], "Besoin d'autonomie numérique pour les démarches en ligne."),
    ("ml", "ccas", 20, [Status.ACCEPTED], "Difficultés de budget : accompagnement aux démarches."),
    ("ft_sud_est", "ml", 25, [Status.REFUSED], "Reprise d'une formation qualifiante après une longue pause."),
    ("ft_ouest", "ccas", 16, [Status.EXPIRED], "Difficultés financières : aide au budget et aux démarches."),
    ("ml", "centre_social_nord", 12, [Status.WITHDRAWN], "Atelier de remobilisation collectif."),
    ("ft_nord", "siae", 40, [Status.ACCEPTED, Status.STARTED], "Reprise d'activité en chantier d'insertion."),
    (
        "cap_emploi",
        "centre_social_nord",
        60,
        [Status.ACCEPTED, Status.STARTED, Status.COMPLETED],
        "Atelier collectif pour reprendre confiance avant la recherche d'emploi.",
    ),
    (
        "ft_sud_est",
        "asso_nord",
        35,
        [Status.ACCEPTED, Status.ABANDONED],
        "Garde d'enfants pour reprendre un emploi.",
    ),
]

ANSWER_DETAILS: dict[str, tuple[str, str, str]] = {
    Status.REFUSED: ("no_capacity", "Session complète jusqu'à la rentrée.", ""),
    Status.ABANDONED: ("", "La personne a déménagé hors de l'agglomération.", ""),
    Status.COMPLETED: ("", "", "Parcours terminé : la personne fait ses démarches en ligne seule."),
}


def _ctx(membership: Any) -> ActingContext:
    return ActingContext(user=membership.user, membership=membership, via="cli")


def _answerer(world: Any, key: str) -> Any:
    """A référent or member of the receiving structure, if it has one."""
    for persona in world.memberships.values():
        for m in persona:
            if m.structure_id == world.structures[key].pk and m.role in (Role.REFERENT, Role.PARTNER_MEMBER):
                return m
    return (world.referents.get(key) or [None])[0]


def build_demo(world: Any) -> dict[str, int]:
    made = 0
    used: set[int] = set()
    for sender_key, receiver_key, days_ago, path, message in SCENARIOS:
        senders = world.referents.get(sender_key) or []
        service = (
            Service.objects.filter(structure=world.structures.get(receiver_key))
            .order_by("name", "pk")
            .first()
            if receiver_key in world.structures
            else None
        )
        if not senders or service is None:
            continue
        sender = senders[world.rng.randrange(len(senders))]
        ctx = _ctx(sender)
        everyone = people_queries.beneficiaries_for(ctx, "orientation.send").order_by("pk")
        # A person not oriented yet by the demo, when the structure still has one.
        reach = everyone.exclude(pk__in=used) if everyone.exclude(pk__in=used).exists() else everyone
        consenting = list(
            reach.filter(
                consents__scope=ConsentScope.SHARING, consents__withdrawn_on__isnull=True
            ).distinct()[:40]
        )
        pool = consenting or list(reach[:40])
        if not pool:
            continue
        person = pool[world.rng.randrange(len(pool))]
        sent_on = world.today - timedelta(days=days_ago)
        if not consenting:
            # The référent collects the consent to sharing before orienting, as the product requires.
            people_services.record_consent(
                ctx=ctx,
                beneficiary=person,
                scope=ConsentScope.SHARING,
                method=ConsentMethod.ORAL,
                given_on=min(sent_on, timezone.localdate()),
            )
        used.add(person.pk)
        now = timezone.make_aware(datetime.combine(sent_on, time(10, world.rng.randrange(60))))
        o = services.send_orientation(
            ctx=ctx,
            beneficiary=person,
            service=service,
            message=message,
            shared_groups=world.rng.sample(["employment", "mobility", "digital", "family", "french"], 2),
            now=now,
        ).orientation
        answerer = _answerer(world, receiver_key)
        for target in path:
            if target == Status.WITHDRAWN:
                o = services.withdraw(ctx=ctx, orientation=o, reason="La personne a retrouvé un emploi.")
            elif target == Status.EXPIRED:
                with transaction.atomic():
                    o = move(
                        Actor(None, Channel.SYSTEM), o, target, reason="Aucune réponse avant l'échéance."
                    )
            elif answerer is not None:
                reason, details, outcome = ANSWER_DETAILS.get(target, ("", "", ""))
                o = services.answer(
                    ctx=_ctx(answerer),
                    orientation=o,
                    target=target,
                    refusal_reason=reason,
                    details=details,
                    outcome=outcome,
                )
        made += 1
    return {"orientations": made}
