"""Benchmark data sets: N cités named after real cities with QPV, M fictitious people spread over them.

Written with bulk inserts, in batches, one transaction per cité, so that memory stays flat and 500,000
people take minutes: the high-volume tables go through `people.importing.inserts.insert` (multi-row
INSERT … RETURNING, about a quarter less CPU than `bulk_create` here), the others through `bulk_create`. The rows keep the invariants of the services (identity key, "invisible" flag, one
referent of the responsible structure, sensitive information recorded by that référent, consent and
follow-up rows) and the audit rows the services would have written, built by `_event` like `audit.log`.
Deterministic: each cité draws from its own generator seeded with (seed, cité), whatever the batch size.
"""

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import db
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from citemploi.core.audit import _jsonable
from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role
from citemploi.demo.bench_activity import (
    ActivityCounts,
    CiteActivity,
    Person,
    Table,
    Volumes,
    _Ref,
    insert_rows,
)
from citemploi.demo.builder import (
    DEMO_ACTOR_LABEL,
    FOLLOWUP_KINDS,
    DemoError,
    DemoSummary,
    ensure_commune,
    ensure_qpvs,
    ensure_users,
    fiction_landline,
    system_audit,
)
from citemploi.demo.cities import CITIES
from citemploi.demo.logins import DEMO_PASSWORD
from citemploi.demo.people import FOLLOWUP_ROLES, PersonGenerator, Place, slots, weighted
from citemploi.partners.enums import CooperationFormat, RoleInCite, StructureKind
from citemploi.partners.models import Membership, Partnership, Structure
from citemploi.partners.services import STRUCTURE_FIELDS
from citemploi.people.enums import ConsentScope
from citemploi.people.importing import inserts
from citemploi.people.models import Beneficiary, Consent, FollowUpMember, SensitiveInfo
from citemploi.people.services import BENEFICIARY_FIELDS, identity_key
from citemploi.reporting import freshness
from citemploi.territory.models import Cite

K = StructureKind
R = RoleInCite
C = CooperationFormat

BATCH_SIZE = 2000
#: e-mail of the national animator, shared with the Amiens demo
NATIONAL_EMAIL = "anct@example.org"


@dataclass(frozen=True)
class BenchStructure:
    key: str
    name: str
    kind: str
    role: str
    cooperation: str
    referents: int = 0
    sensitive: bool = False


#: the partnership of every benchmark cité ({city} is replaced by the city's name)
BENCH_STRUCTURES: tuple[BenchStructure, ...] = (
    BenchStructure("ft-nord", "France Travail {city} Nord", K.FRANCE_TRAVAIL, R.SPE, C.COPRODUCTION, 2),
    BenchStructure("ft-sud", "France Travail {city} Sud", K.FRANCE_TRAVAIL, R.SPE, C.COORDINATION, 1),
    BenchStructure("ml", "Mission locale de {city}", K.MISSION_LOCALE, R.SPE, C.COPRODUCTION, 2),
    BenchStructure("cap-emploi", "Cap emploi — antenne de {city}", K.CAP_EMPLOI, R.SPE, C.COORDINATION, 1),
    BenchStructure("plie", "PLIE de {city}", K.PLIE, R.SUPPORT, C.COPRODUCTION, 1),
    BenchStructure("departement", "Département — insertion ({city})", K.DEPARTEMENT, R.FUNDER, C.COORDINATION, 1),
    BenchStructure("prefecture", "Délégation du préfet — {city}", K.STATE, R.COPILOT, C.COPRODUCTION),
    BenchStructure("ville", "Ville de {city} — politique de la ville", K.COMMUNE_EPCI, R.COPILOT, C.COPRODUCTION),
    BenchStructure("ccas", "CCAS de {city}", K.CCAS, R.BARRIERS, C.COORDINATION, 1),
    BenchStructure("asso", "Association Quartiers solidaires de {city}", K.ASSOCIATION, R.REFERRER, C.COPRODUCTION),
    BenchStructure("asso-femmes", "Collectif Emploi au féminin de {city}", K.ASSOCIATION, R.REFERRER, C.COORDINATION),
    BenchStructure("centre-social", "Centre social de {city}", K.SOCIAL_CENTRE, R.BARRIERS, C.COORDINATION, 1),
    BenchStructure("formation", "Compétences {city} (organisme de formation)", K.TRAINING, R.TRAINING, C.CONCERTATION),
    BenchStructure("siae", "{city} Insertion Services (entreprise d'insertion)", K.SIAE, R.EMPLOYER, C.COORDINATION, 1),
    BenchStructure("club", "Club d'entreprises PaQte de {city}", K.EMPLOYER, R.EMPLOYER, C.CONCERTATION),
    BenchStructure("conseil-citoyen", "Conseil citoyen de {city}", K.CITIZENS, R.OTHER, C.CONCERTATION),
    BenchStructure("spip", "SPIP — antenne de {city}", K.JUSTICE, R.SUPPORT, C.CONCERTATION, 1, sensitive=True),
    BenchStructure("csapa", "CSAPA de {city}", K.HEALTH_SOCIAL, R.BARRIERS, C.CONCERTATION, 1, sensitive=True),
)  # fmt: skip

#: other personas of every benchmark cité: (key, role, structure key)
BENCH_PERSONAS: tuple[tuple[str, str, str | None], ...] = (
    ("association", Role.PARTNER_MEMBER, "asso"),
    ("association", Role.HOLDER, "asso"),
    ("association2", Role.PARTNER_MEMBER, "asso-femmes"),
    ("association2", Role.HOLDER, "asso-femmes"),
    ("commission", Role.COMMISSION_MEMBER, "plie"),
    ("copil", Role.STEERING, "prefecture"),
    ("instruction", Role.REVIEWER, "prefecture"),
)

STREETS = (
    "rue Victor Hugo",
    "avenue Jean Jaurès",
    "rue de la République",
    "rue Pasteur",
    "allée des Tilleuls",
    "boulevard Gambetta",
    "rue Jules Ferry",
    "place de la Mairie",
    "rue des Écoles",
    "avenue du Général de Gaulle",
    "rue Jean Moulin",
    "rue Émile Zola",
    "allée des Érables",
    "rue Louise Michel",
    "square des Acacias",
)


@dataclass(frozen=True)
class City:
    name: str
    slug: str
    insee_code: str
    department: str
    qpvs: tuple[tuple[str, str], ...]


def pick_cities(count: int) -> list[City]:
    """The first `count` cities of the embedded list that are not yet a cité; past the end of the list the
    cities come round again with a number ("Marseille (2)")."""
    taken = set(Cite.objects.values_list("slug", flat=True))
    chosen: list[City] = []
    lap = 1
    while len(chosen) < count:
        for name, insee, department, qpvs in CITIES:
            slug = slugify(name) if lap == 1 else f"{slugify(name)}-{lap}"
            if slug in taken:
                continue
            label = name if lap == 1 else f"{name} ({lap})"
            chosen.append(City(label, slug, insee, department, qpvs))
            taken.add(slug)
            if len(chosen) == count:
                break
        lap += 1
    return chosen


def _insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert new instances and set their ids, as bulk_create does, by `bench_activity.insert_rows`
    (executemany on SQLite, COPY on PostgreSQL: Django's own statements cost several times more)."""
    if not objs:
        return
    inserter = inserts.Inserter(model)
    ids = insert_rows(inserter, [inserter.values(obj) for obj in objs])
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_PLAIN = frozenset({str, int, bool})


def _ready(value: Any) -> Any:
    """`core.audit._jsonable`, with the plain types tested first (the audit rows of 500,000 people)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is list:  # mostly [old, new] pairs of plain values
        return [v if v is None or type(v) in _PLAIN else _ready(v) for v in value]
    return _jsonable(value)


class _Events:
    """Audit rows shaped as `core.audit.log` writes them, collected as database values for one bulk insert."""

    def __init__(self) -> None:
        self.table = Table(AuditEvent, via="cli")
        self._labels: dict[int, str] = {}

    def add(
        self,
        membership: Membership | None,
        code: str,
        obj: Any,
        *,
        beneficiary_id: int | None = None,
        changes: dict[str, Any] | None = None,
        cite_id: int | None = None,
    ) -> None:
        user = membership.user if membership is not None else None
        label = DEMO_ACTOR_LABEL
        if user is not None:
            label = self._labels.get(user.pk) or self._labels.setdefault(user.pk, str(user))
        self.table.add(
            cite_id=membership.cite_id if membership is not None else cite_id,
            actor_id=user.pk if user is not None else None,
            actor_label=label,
            actor_structure_id=membership.structure_id if membership is not None else None,
            actor_role=membership.role if membership is not None else "",
            code=code,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            beneficiary_id=beneficiary_id,
            changes={k: _ready(v) for k, v in (changes or {}).items()},
        )

    def flush(self) -> None:
        self.table.flush()


#: SQLite settings of this connection while the bench loads (`bulk_load`), restored afterwards
LOAD_PRAGMAS = {
    # no fsync at each cité's commit: a crash of the machine (not of the process) during the load may
    # lose or damage the data being loaded; the journal stays WAL, so the database stays consistent after
    "synchronous": "OFF",
    # 128 MB of page cache instead of 32: the indexes of the big tables are updated out of order
    "cache_size": "-131072",
    "temp_store": "MEMORY",
}


@contextmanager
def bulk_load() -> Iterator[None]:
    """On SQLite, lighter durability and a bigger cache for the duration of the load (LOAD_PRAGMAS), the
    connection's own settings restored afterwards, even on error. Nothing on PostgreSQL (COPY), nor inside
    a caller's transaction (SQLite does not change the durability of an open transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        saved = {}
        for name, value in LOAD_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            saved[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


def build_bench(
    *,
    cites: int,
    people: int,
    seed: int,
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
    volumes: Volumes | None = None,
    jobs: int = 1,
) -> DemoSummary:
    """Create `cites` new cités and `people` people spread evenly over them, with their activity
    (`bench_activity`, volumes per cité and per person from `volumes`; see module docstring).

    On PostgreSQL, `jobs` > 1 builds the cités in that many worker processes, each with its own connection
    (`_build_in_workers`); the data are the same as with one (each cité draws from its own generators, and
    the ids come from the tables' sequences). On SQLite (one writer at a time) and inside a caller's
    transaction, `jobs` is not used.
    """
    volumes = volumes or Volumes()
    counts = ActivityCounts()
    started = time.monotonic()
    today = today or timezone.localdate()
    gen = PersonGenerator(seed, today)
    password_hash = make_password(DEMO_PASSWORD)
    summary = DemoSummary()
    with transaction.atomic():
        national = ensure_users([(NATIONAL_EMAIL, "Nadia", "Benali")], password_hash)[NATIONAL_EMAIL]
        membership, created = Membership.objects.get_or_create(
            user=national, cite=None, structure=None, role=Role.NATIONAL
        )
        if created:
            system_audit(
                "membership.add",
                membership,
                {"user": [None, str(national)], "role": [None, "national"]},
                None,
            )
    cities = pick_cities(cites)
    plan = [
        (index, city, people // cites + (1 if index < people % cites else 0))
        for index, city in enumerate(cities)
    ]
    job = _Job(
        gen=gen,
        total=len(cities),
        password_hash=password_hash,
        batch_size=batch_size,
        seed=seed,
        today=today,
        volumes=volumes,
        progress=progress,
    )
    # in a caller's transaction (tests), the workers would not see its rows: one process
    if jobs > 1 and len(plan) > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        _build_in_workers(job, plan, jobs, summary, counts)
    else:
        with bulk_load():
            _build_cites(job, plan, summary, counts)
    # the rows went by executemany / COPY, which the indicators' change tracking does not see
    freshness.bump_all()
    summary.users += 1
    summary.services = counts.services
    summary.extra = {
        label: n for label, n in counts.labelled().items() if label != "services dans l'annuaire"
    }
    summary.seconds = time.monotonic() - started
    return summary


@dataclass
class _Job:
    """What every cité of one run shares."""

    gen: PersonGenerator
    total: int
    password_hash: str
    batch_size: int
    seed: int
    today: date
    volumes: Volumes
    progress: Callable[[str], None] | None


def _build_cites(
    job: _Job, plan: list[tuple[int, City, int]], summary: DemoSummary, counts: ActivityCounts
) -> None:
    """Build the cités of `plan` ((index, city, people) each) one after the other, one transaction each."""
    for index, city, share in plan:
        city_started = time.monotonic()
        job.gen.reseed(f"{job.seed}:{city.slug}")
        with transaction.atomic():
            activity = _build_cite(
                job.gen,
                city,
                share,
                job.password_hash,
                job.batch_size,
                summary,
                job.seed,
                job.today,
                job.volumes,
            )
        counts.add(activity.counts)
        if job.progress is not None:
            seconds = f"{time.monotonic() - city_started:.1f}".replace(".", ",")
            job.progress(f"[{index + 1}/{job.total}] {city.name} : {share} personnes ({seconds} s)")


def _build_in_workers(
    job: _Job, plan: list[tuple[int, City, int]], jobs: int, summary: DemoSummary, counts: ActivityCounts
) -> None:
    """Build the cités in `jobs` forked processes (PostgreSQL), each with its own connection and its share
    of the cités; their counts are added to `summary` and `counts`. The cités of one commune ("Marseille"
    and "Marseille (2)") go to the same process: both create the commune's rows if missing."""
    groups: list[list[tuple[int, City, int]]] = [[] for _ in range(jobs)]
    worker_of: dict[str, int] = {}
    for item in plan:
        insee = item[1].insee_code
        worker = worker_of.setdefault(insee, len(worker_of) % jobs)
        groups[worker].append(item)
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    # the children must not share the parent's connection: each opens its own
    db.connections.close_all()
    processes = [
        context.Process(target=_worker, args=(job, group, results), daemon=True) for group in groups if group
    ]
    for process in processes:
        process.start()
    failures: list[str] = []
    for _ in processes:
        outcome = results.get()
        if isinstance(outcome, str):
            failures.append(outcome)
            continue
        part, part_counts = outcome
        for name in (
            "cites",
            "qpvs",
            "structures",
            "users",
            "memberships",
            "people",
            "consents",
            "followups",
        ):
            setattr(summary, name, getattr(summary, name) + getattr(part, name))
        summary.sensitive += part.sensitive
        counts.add(part_counts)
    for process in processes:
        process.join()
    if failures:
        raise DemoError("La génération en parallèle a échoué :\n" + "\n".join(failures))


#: connections a worker process inherited from its parent: referenced until the process exits (see _worker)
_INHERITED: list[Any] = []


def _worker(job: _Job, plan: list[tuple[int, City, int]], results: Any) -> None:
    """One worker process of `_build_in_workers`: its cités, then its counts (or its error) to the parent."""
    # A connection the parent still had open at the fork (one reopened after close_all, another thread's) is
    # the parent's session: the child must neither use it nor close it (closing ends it for the parent). Keep
    # it referenced, never finalised (a forked child ends with os._exit), and open the child's own.
    for wrapper in db.connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None
    try:
        summary, counts = DemoSummary(), ActivityCounts()
        _build_cites(job, plan, summary, counts)
        results.put((summary, counts))
    except BaseException:  # reported to the parent, which raises
        results.put(traceback.format_exc())
    finally:
        db.connections.close_all()


def _build_cite(
    gen: PersonGenerator,
    city: City,
    people: int,
    password_hash: str,
    batch_size: int,
    summary: DemoSummary,
    seed: int,
    today: date,
    volumes: Volumes,
) -> CiteActivity:
    rng = gen.rng
    commune = ensure_commune(city.insee_code, city.name.split(" (")[0], city.department)
    qpvs = ensure_qpvs(city.qpvs, commune)
    cite = Cite.objects.create(
        slug=city.slug,
        name=city.name,
        label_date=date(rng.randint(2020, 2023), rng.randint(1, 12), rng.randint(1, 28)),
        copilots=f"Préfecture / Ville de {city.name}",
    )
    cite.communes.add(commune)
    cite.qpvs.set(qpvs)
    summary.cites += 1
    summary.qpvs += len(qpvs)

    # Users: a coordinator, the référents of each structure, the other personas.
    user_specs: list[tuple[str, str, str]] = []

    def new_user(local: str) -> str:
        email = f"{city.slug}.{local}@example.org"
        female = rng.random() < 0.6
        user_specs.append((email, rng.choice(gen.female if female else gen.male), rng.choice(gen.last)))
        return email

    coordinator_email = new_user("coordination")
    referent_emails = {
        spec.key: [new_user(f"referent.{spec.key}{n + 1}") for n in range(spec.referents)]
        for spec in BENCH_STRUCTURES
    }
    persona_emails = {key: new_user(key) for key in dict.fromkeys(key for key, _, _ in BENCH_PERSONAS)}
    users = ensure_users(user_specs, password_hash)
    summary.users += len(users)

    events = _Events()
    coordinator = Membership.objects.create(user=users[coordinator_email], cite=cite, role=Role.COORDINATOR)
    events.add(
        None,
        "membership.add",
        coordinator,
        changes={"user": [None, str(coordinator.user)], "role": [None, Role.COORDINATOR]},
        cite_id=cite.pk,
    )

    structures = [
        Structure(
            name=spec.name.format(city=city.name),
            kind=spec.kind,
            address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}",
            commune=commune,
            email=f"contact.{spec.key}.{city.slug}@example.org",
            phone=fiction_landline(rng),
            sensitive=spec.sensitive,
        )
        for spec in BENCH_STRUCTURES
    ]
    Structure.objects.bulk_create(structures)
    by_key = {spec.key: s for spec, s in zip(BENCH_STRUCTURES, structures, strict=True)}
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                cite=cite,
                structure=s,
                role=spec.role,
                cooperation_format=spec.cooperation,
                since=cite.label_date,
            )
            for spec, s in zip(BENCH_STRUCTURES, structures, strict=True)
        ]
    )
    through = Partnership.qpvs.through
    through.objects.bulk_create(
        [through(partnership_id=p.pk, qpv_id=q.pk) for p in partnerships for q in qpvs]
    )
    for s in structures:
        events.add(
            coordinator, "structure.create", s, changes={f: [None, getattr(s, f)] for f in STRUCTURE_FIELDS}
        )
    summary.structures += len(structures)

    memberships: list[Membership] = []
    referents: dict[str, list[Membership]] = {}
    for spec in BENCH_STRUCTURES:
        for email in referent_emails[spec.key]:
            m = Membership(user=users[email], cite=cite, structure=by_key[spec.key], role=Role.REFERENT)
            memberships.append(m)
            referents.setdefault(spec.key, []).append(m)
    for key, role, structure_key in BENCH_PERSONAS:
        structure = by_key[structure_key] if structure_key else None
        memberships.append(
            Membership(user=users[persona_emails[key]], cite=cite, structure=structure, role=role)
        )
    Membership.objects.bulk_create(memberships)
    for m in memberships:
        events.add(
            coordinator, "membership.add", m, changes={"user": [None, str(m.user)], "role": [None, m.role]}
        )
    summary.memberships += len(memberships) + 1
    activity = CiteActivity(
        seed=seed,
        cite=cite,
        commune=commune,
        qpvs=qpvs,
        structures=by_key,
        referents=referents,
        memberships=memberships,
        coordinator=coordinator,
        today=today,
        volumes=volumes,
        add_event=events.add,
    )
    events.flush()

    places = [(Place(qpv=q, streets=STREETS, postcode="", city=commune.name), 0.9 / len(qpvs)) for q in qpvs]
    places.append((Place(qpv=None, streets=STREETS, postcode="", city=commune.name), 0.1))
    keys_by_kind: dict[str, list[str]] = {}
    for spec in BENCH_STRUCTURES:
        keys_by_kind.setdefault(spec.kind, []).append(spec.key)
    followup_keys = [spec.key for spec in BENCH_STRUCTURES if spec.kind in FOLLOWUP_KINDS]

    kinds = slots(people)
    rng.shuffle(kinds)
    seen: set[str] = set()
    for batch in _chunks(kinds, batch_size):
        _write_people(
            gen,
            cite,
            batch,
            places,
            keys_by_kind,
            followup_keys,
            by_key,
            referents,
            coordinator,
            seen,
            summary,
            activity,
        )
    return activity


def _write_people(
    gen: PersonGenerator,
    cite: Cite,
    kinds: list[str],
    places: list[tuple[Place, float]],
    keys_by_kind: dict[str, list[str]],
    followup_keys: list[str],
    by_key: dict[str, Structure],
    referents: dict[str, list[Membership]],
    coordinator: Membership,
    seen: set[str],
    summary: DemoSummary,
    activity: CiteActivity,
) -> None:
    rng = gen.rng
    rows: list[
        tuple[
            Beneficiary, Membership, dict[str, bool], list[dict[str, Any]], list[tuple[Structure, Any, str]]
        ]
    ] = []
    followed: list[Person] = []
    for kind in kinds:
        place = weighted(rng, places)
        key = rng.choice(keys_by_kind[kind])
        members = referents.get(key, [])
        referent = rng.choice(members) if members else None
        while True:
            data = gen.person(kind=kind, place=place)
            ikey = identity_key(data["first_name"], data["last_name"], data["birth_date"])
            if ikey not in seen:
                break
        seen.add(ikey)
        sensitive = gen.sensitive(kind) if referent is not None else {}
        consents = gen.consents(data["identified_on"])
        followups: list[tuple[Structure, Any, str]] = []
        sharing = any(c["scope"] == ConsentScope.SHARING and not c.get("withdrawn_on") for c in consents)
        if sharing and rng.random() < 0.45:
            for other in rng.sample(
                [k for k in followup_keys if k != key], k=weighted(rng, [(1, 0.7), (2, 0.3)])
            ):
                other_referents = referents.get(other, [])
                user = rng.choice(other_referents).user if other_referents and rng.random() < 0.6 else None
                followups.append((by_key[other], user, rng.choice(FOLLOWUP_ROLES)))
        actor = referent or coordinator
        beneficiary = Beneficiary(
            cite=cite,
            responsible_structure=by_key[key],
            referent=referent.user if referent is not None else None,
            created_by=actor.user,
            identity_key=ikey,
            invisible_at_identification=not data["ft_registered"] and not data["spe_followed"],
            **data,
        )
        rows.append((beneficiary, actor, sensitive, consents, followups))
        followed.append(Person(beneficiary, referent, consents))

    _insert(Beneficiary, [row[0] for row in rows])
    activity.add_people(followed)
    events = _Events()
    consent_table = Table(Consent)
    info_table = Table(SensitiveInfo)
    followup_table = Table(FollowUpMember)
    consent_rows: list[tuple[int, dict[str, Any], Membership]] = []
    followup_rows: list[tuple[int, Structure, str, Membership]] = []
    for beneficiary, actor, sensitive, consents, followups in rows:
        events.add(
            actor,
            "beneficiary.create",
            beneficiary,
            beneficiary_id=beneficiary.pk,
            # `_Events.add` makes the values JSON-ready, as audit.log does.
            changes={f: [None, getattr(beneficiary, f)] for f in BENEFICIARY_FIELDS},
        )
        if sensitive:
            info_table.add(beneficiary_id=beneficiary.pk, updated_by_id=actor.user_id, **sensitive)
            events.add(
                actor,
                "beneficiary.sensitive_update",
                beneficiary,
                beneficiary_id=beneficiary.pk,
                changes={"fields": sorted(name for name, value in sensitive.items() if value)},
            )
        for record in consents:
            withdrawn_on = record.get("withdrawn_on")
            consent_table.add(
                beneficiary_id=beneficiary.pk,
                scope=record["scope"],
                method=record["method"],
                given_on=record["given_on"],
                recorded_by_id=actor.user_id,
                withdrawn_on=withdrawn_on,
                withdrawn_by_id=actor.user_id if withdrawn_on else None,
            )
            consent_rows.append((beneficiary.pk, record, actor))
        for structure, user, role in followups:
            followup_table.add(
                beneficiary_id=beneficiary.pk,
                structure_id=structure.pk,
                user_id=user.pk if user is not None else None,
                role=role,
                added_by_id=actor.user_id,
            )
            followup_rows.append((beneficiary.pk, structure, role, actor))
    consent_ids = consent_table.flush()
    info_table.flush()
    followup_ids = followup_table.flush()
    for pk, (beneficiary_id, record, actor) in zip(consent_ids, consent_rows, strict=True):
        consent = _Ref(Consent, pk)
        events.add(
            actor,
            "consent.record",
            consent,
            beneficiary_id=beneficiary_id,
            changes={
                "scope": [None, record["scope"]],
                "method": [None, record["method"]],
                "given_on": [None, record["given_on"]],
            },
        )
        if record.get("withdrawn_on"):
            events.add(
                actor,
                "consent.withdraw",
                consent,
                beneficiary_id=beneficiary_id,
                changes={
                    "scope": [record["scope"], record["scope"]],
                    "withdrawn_on": [None, record["withdrawn_on"]],
                },
            )
    for pk, (beneficiary_id, structure, role, actor) in zip(followup_ids, followup_rows, strict=True):
        events.add(
            actor,
            "followup.add",
            _Ref(FollowUpMember, pk),
            beneficiary_id=beneficiary_id,
            changes={"structure": [None, structure.name], "role": [None, role]},
        )
    events.flush()
    summary.people += len(rows)
    summary.consents += len(consent_rows)
    summary.sensitive += info_table.total
    summary.followups += len(followup_rows)
