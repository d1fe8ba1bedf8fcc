"""The demo cité, Amiens Métropole, built through the services like any other entry point.

Structures, memberships, people, consents, follow-up groups and sensitive information are written by
`partners.services` and `people.services` (acting as the demo coordinator or as each person's référent),
so the demo obeys the same rules and leaves the same audit rows as real use. What no service creates
(the cité, its QPV, the users, the first coordinator and the national membership) is written here, with
an audit row for the memberships.
"""

import importlib
import importlib.util
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role
from citemploi.demo import amiens
from citemploi.demo.logins import DEMO_PASSWORD
from citemploi.demo.offer import create_demo_services
from citemploi.demo.people import FOLLOWUP_ROLES, PersonGenerator, Place, slots, weighted
from citemploi.partners import services as partner_services
from citemploi.partners.models import Membership, Structure
from citemploi.people import services as people_services
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary
from citemploi.territory.models import QPV, Cite, Commune

#: audit actor label of what the demo command writes itself
DEMO_ACTOR_LABEL = "commande demo"
#: kinds that may join a person's follow-up group (never a sensitive structure: that would reveal it)
FOLLOWUP_KINDS = frozenset(
    {
        "france_travail",
        "mission_locale",
        "cap_emploi",
        "plie",
        "departement",
        "ccas",
        "social_landlord",
        "association",
        "social_centre",
        "training",
        "siae",
    }
)


class DemoError(Exception):
    """The demo cannot be built (French message for the user)."""


@dataclass
class DemoSummary:
    cites: int = 0
    qpvs: int = 0
    structures: int = 0
    users: int = 0
    memberships: int = 0
    people: int = 0
    consents: int = 0
    followups: int = 0
    sensitive: int = 0
    services: int = 0
    #: what the domains' demo modules added (French label → count), in the order they ran
    extra: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class DemoWorld:
    """What a domain's demo module (`citemploi/<app>/demo_data.py`, function `build_demo(world)`) receives.

    The function writes through its domain's services, acting as `coordinator_ctx` or as one of the
    memberships, and returns the counts it wants reported (French label → count)."""

    cite: Cite
    coordinator_ctx: ActingContext
    structures: dict[str, Structure]
    #: every persona membership of the cité, by persona key (see demo/amiens.py PERSONAS)
    memberships: dict[str, list[Membership]]
    referents: dict[str, list[Membership]]
    qpvs: dict[str, QPV]
    today: date
    rng: random.Random


def system_audit(code: str, obj: Any, changes: dict[str, Any], cite_id: int | None) -> AuditEvent:
    """An audit row for what no service writes (no acting context yet: the command acts)."""
    return AuditEvent.objects.create(
        cite_id=cite_id,
        actor_label=DEMO_ACTOR_LABEL,
        code=code,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes,
        via="cli",
    )


def ensure_commune(insee_code: str, name: str, department: str) -> Commune:
    """An existing commune (from an import of the QPV list) is kept as it is."""
    commune, _ = Commune.objects.get_or_create(
        insee_code=insee_code, defaults={"name": name, "department": department}
    )
    return commune


def ensure_qpvs(entries: Iterable[tuple[str, str]], commune: Commune) -> list[QPV]:
    """The QPV of `entries` (code, name), created when missing; existing ones are reused untouched."""
    entries = list(entries)
    existing = {q.code: q for q in QPV.objects.filter(code__in=[code for code, _ in entries])}
    missing = [
        QPV(code=code, name=name, department=code[2:5], list_version="2024")
        for code, name in entries
        if code not in existing
    ]
    QPV.objects.bulk_create(missing)
    qpvs = {q.code: q for q in QPV.objects.filter(code__in=[code for code, _ in entries])}
    through = QPV.communes.through
    through.objects.bulk_create(
        [through(qpv_id=q.pk, commune_id=commune.pk) for q in qpvs.values()], ignore_conflicts=True
    )
    return [qpvs[code] for code, _ in entries]


def ensure_users(specs: Iterable[tuple[str, str, str]], password_hash: str) -> dict[str, User]:
    """Users by e-mail (email, first name, last name); missing ones are created with the demo password.

    The hash is computed once for all of them: hashing is deliberately slow and the password is public.
    """
    specs = list(specs)
    emails = [email for email, _, _ in specs]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    User.objects.bulk_create(
        [
            User(email=email, username=email, first_name=first, last_name=last, password=password_hash)
            for email, first, last in specs
            if email not in existing
        ],
        batch_size=500,
    )
    return {u.email: u for u in User.objects.filter(email__in=emails)}


def fiction_landline(rng: random.Random) -> str:
    return f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def build_amiens(*, seed: int, people: int = 150, today: date | None = None) -> DemoSummary:
    """Build the demo cité Amiens Métropole with `people` fictitious people, deterministic from `seed`
    (and `today`, which dates are relative to, so that the demo always looks current)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    if Cite.objects.filter(slug=amiens.CITE_SLUG).exists():
        raise DemoError(
            f"La cité de démonstration « {amiens.CITE_NAME} » existe déjà : utilisez une base vide "
            "(ou --if-empty pour ne rien faire dans ce cas)."
        )
    with transaction.atomic():
        summary = _build_amiens(seed=seed, people=people, today=today)
    summary.seconds = time.monotonic() - started
    return summary


def _build_amiens(*, seed: int, people: int, today: date) -> DemoSummary:
    gen = PersonGenerator(seed, today)
    summary = DemoSummary(cites=1)
    commune = ensure_commune(amiens.COMMUNE_INSEE, amiens.COMMUNE_NAME, amiens.DEPARTMENT)
    qpvs = {q.code: q for q in ensure_qpvs(amiens.QPVS, commune)}
    summary.qpvs = len(qpvs)
    cite = Cite.objects.create(
        slug=amiens.CITE_SLUG,
        name=amiens.CITE_NAME,
        label_date=amiens.LABEL_DATE,
        copilots=amiens.COPILOTS,
        epci_siren=amiens.EPCI_SIREN,
    )
    cite.communes.add(commune)
    cite.qpvs.set(qpvs.values())

    users = ensure_users(
        [(p.email, p.first_name, p.last_name) for p in amiens.PERSONAS], make_password(DEMO_PASSWORD)
    )
    summary.users = len(users)
    persona_user = {p.key: users[p.email] for p in amiens.PERSONAS}
    # The first coordinator: no service can create them (adding members needs a coordinator).
    coordinator = Membership.objects.create(
        user=persona_user["coordinator"], cite=cite, structure=None, role=Role.COORDINATOR
    )
    system_audit(
        "membership.add",
        coordinator,
        {"user": [None, str(coordinator.user)], "role": [None, Role.COORDINATOR]},
        cite.pk,
    )
    coordinator_ctx = ActingContext(user=coordinator.user, membership=coordinator, via="cli")

    structures = _create_structures(gen, coordinator_ctx, commune, qpvs)
    summary.structures = len(structures)
    referents = _add_members(coordinator_ctx, persona_user, structures, summary)
    _create_people(gen, people, coordinator_ctx, qpvs, structures, referents, summary)
    summary.services = create_demo_services(coordinator_ctx, structures, today)
    world = DemoWorld(
        cite=cite,
        coordinator_ctx=coordinator_ctx,
        structures=structures,
        memberships=_persona_memberships(cite, persona_user),
        referents=referents,
        qpvs=qpvs,
        today=today,
        rng=random.Random(seed + 1),
    )
    run_demo_modules(world, summary)
    return summary


def _persona_memberships(cite: Cite, persona_user: dict[str, User]) -> dict[str, list[Membership]]:
    by_user: dict[int, str] = {user.pk: key for key, user in persona_user.items()}
    found: dict[str, list[Membership]] = {}
    for m in Membership.objects.filter(cite=cite).select_related("structure", "user").order_by("pk"):
        if m.user_id in by_user:
            found.setdefault(by_user[m.user_id], []).append(m)
    return found


def demo_modules() -> list[Any]:
    """The `demo_data` modules of the installed citemploi apps, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("citemploi.") or config.name == "citemploi.demo":
            continue
        name = f"{config.name}.demo_data"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def run_demo_modules(world: DemoWorld, summary: DemoSummary) -> None:
    """Let each domain add its demo data (calls, pathways, cohorts…) to the demo cité."""
    for module in demo_modules():
        counts = module.build_demo(world) or {}
        for label, count in counts.items():
            summary.extra[label] = summary.extra.get(label, 0) + count


def _create_structures(
    gen: PersonGenerator, ctx: ActingContext, commune: Commune, qpvs: dict[str, QPV]
) -> dict[str, Structure]:
    """The partners of the cité, with their partnership (role, cooperation format, QPV of intervention)."""
    return {
        spec.key: partner_services.create_structure(
            ctx=ctx,
            data={
                "name": spec.name,
                "kind": spec.kind,
                "address": spec.address,
                "commune": commune,
                "email": f"contact.{spec.key.replace('_', '-')}@example.org",
                "phone": fiction_landline(gen.rng),
                "sensitive": spec.sensitive,
            },
            partnership={"role": spec.role, "cooperation_format": spec.cooperation, "since": spec.since},
            qpvs=[qpvs[code] for code in spec.qpvs],
        )
        for spec in amiens.STRUCTURES
    }


def _add_members(
    ctx: ActingContext, persona_user: dict[str, User], structures: dict[str, Structure], summary: DemoSummary
) -> dict[str, list[Membership]]:
    """The personas' memberships (but the first coordinator's); returns the référents by structure key."""
    referents: dict[str, list[Membership]] = {}
    summary.memberships = 1
    for persona in amiens.PERSONAS:
        user = persona_user[persona.key]
        for role, key in persona.memberships:
            if role == Role.COORDINATOR:
                continue
            if role == Role.NATIONAL:
                # Shared with the benchmark data sets, which may have created it.
                membership, created = Membership.objects.get_or_create(
                    user=user, cite=None, structure=None, role=role
                )
                if created:
                    system_audit(
                        "membership.add", membership, {"user": [None, str(user)], "role": [None, role]}, None
                    )
            else:
                membership = partner_services.add_member(
                    ctx=ctx, user=user, structure=structures[key] if key else None, role=role
                )
            summary.memberships += 1
            if role == Role.REFERENT and key:
                referents.setdefault(key, []).append(membership)
    return referents


def _create_people(
    gen: PersonGenerator,
    people: int,
    coordinator_ctx: ActingContext,
    qpvs: dict[str, QPV],
    structures: dict[str, Structure],
    referents: dict[str, list[Membership]],
    summary: DemoSummary,
) -> None:
    """The people, in the mix of `people.slots`: each living in a neighbourhood, followed by a structure
    of the kind drawn (one acting in their QPV when there is one), with consents and a follow-up group."""
    rng = gen.rng
    places = [
        (
            Place(
                qpv=qpvs[n.qpv_code] if n.qpv_code else None,
                streets=n.streets,
                postcode=n.postcode,
                city=amiens.COMMUNE_NAME,
            ),
            n.weight,
        )
        for n in amiens.NEIGHBOURHOODS
    ]
    specs = {spec.key: spec for spec in amiens.STRUCTURES}
    by_kind: dict[str, list[str]] = {}
    for spec in amiens.STRUCTURES:
        by_kind.setdefault(spec.kind, []).append(spec.key)
    followup_candidates = [spec.key for spec in amiens.STRUCTURES if spec.kind in FOLLOWUP_KINDS]

    kinds = slots(people)
    rng.shuffle(kinds)
    for kind in kinds:
        place = weighted(rng, places)
        qpv_code = place.qpv.code if place.qpv is not None else None
        local = [key for key in by_kind[kind] if qpv_code in specs[key].qpvs]
        key = rng.choice(local or by_kind[kind])
        # The person's référent creates the file; the coordinator does for a structure without one.
        members = referents.get(key, [])
        if members:
            chosen = rng.choice(members)
            ctx = ActingContext(user=chosen.user, membership=chosen, via="cli")
        else:
            ctx = coordinator_ctx
        beneficiary, has_sensitive = _create_person(
            gen, ctx, kind, place, structures[key], with_referent=bool(members)
        )
        summary.people += 1
        summary.sensitive += int(has_sensitive)

        sharing = False
        for record in gen.consents(beneficiary.identified_on):
            consent = people_services.record_consent(
                ctx=ctx,
                beneficiary=beneficiary,
                scope=record["scope"],
                method=record["method"],
                given_on=record["given_on"],
            )
            summary.consents += 1
            if record.get("withdrawn_on"):
                people_services.withdraw_consent(
                    ctx=ctx, consent=consent, withdrawn_on=record["withdrawn_on"]
                )
            elif record["scope"] == ConsentScope.SHARING:
                sharing = True
        # A follow-up group only with consent to sharing: its members see the file.
        if sharing and rng.random() < 0.45:
            others = [k for k in followup_candidates if k != key]
            for other in rng.sample(others, k=weighted(rng, [(1, 0.7), (2, 0.3)])):
                other_referents = referents.get(other, [])
                member = rng.choice(other_referents).user if other_referents and rng.random() < 0.6 else None
                people_services.add_followup_member(
                    ctx=ctx,
                    beneficiary=beneficiary,
                    structure=structures[other],
                    role=rng.choice(FOLLOWUP_ROLES),
                    user=member,
                )
                summary.followups += 1


def _create_person(
    gen: PersonGenerator,
    ctx: ActingContext,
    kind: str,
    place: Place,
    structure: Structure,
    *,
    with_referent: bool,
) -> tuple[Beneficiary, bool]:
    """Create one person through the service; a homonym born the same day is drawn again.
    Sensitive information is recorded by the responsible référent only (as the policy says)."""
    while True:
        data = gen.person(kind=kind, place=place)
        sensitive = gen.sensitive(kind) if with_referent else {}
        try:
            beneficiary = people_services.create_beneficiary(
                ctx=ctx, data=data, responsible_structure=structure, sensitive=sensitive or None
            )
        except people_services.DuplicateIdentity:
            continue
        return beneficiary, bool(sensitive)
