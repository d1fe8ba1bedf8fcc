"""The activity of a benchmark cité: its directory of services, its calls for projects, its cohorts, and, for
every person, journal entries, orientations, barriers of the diagnostic and outcomes (see docs/demo.md).

Written like `bench.py`: rows built as tuples of database values, without model instances (the cheapest way
Python has), inserted in batches by `insert_rows` (executemany on SQLite, COPY on PostgreSQL), in the cité's transaction. The rows keep the
invariants the services enforce: an orientation goes to a current service of another structure of the same
cité, only for a person whose consent to sharing is active, with the snapshot `send_orientation` takes, a
status reached through the edges of `orientations.machine` and one transition row per move; a barrier has
one open record per code and its transition log; an outcome of a job or a training has its 3/6/12-month
checks; a cohort candidate consented to the commission and was decided on at a closed session; an
application went through `calls.machines.APPLICATION` with its log, a balanced budget and, once signed, its
agreement, schedule and report. The high-volume rows (journal, orientations, barriers, outcomes, cohorts,
applications) get no audit row: the services' audit rows would double the size of the database; the
services of the directory get theirs (`service.create`).

Deterministic: one generator per cité, seeded with (seed, cité, "activity"), drawn person after person in
the same order whatever the batch size; the per-person averages are kept by quotas carried from one person
to the next (`_Quota`), not by batch totals.
"""

import json
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from citemploi.calls.enums import ApplicationStatus as A
from citemploi.calls.enums import CallStatus, InstallmentKind, ReportStatus, Theme
from citemploi.calls.models import (
    Activity,
    ActivityResult,
    Agreement,
    Application,
    ApplicationTransition,
    BudgetEntry,
    Call,
    CallTransition,
    FinancialLine,
    Installment,
    ObjectiveResult,
    Payment,
    Report,
    ReportTransition,
)
from citemploi.calls.models import Objective as CallObjective
from citemploi.cohorts.enums import (
    CohortState,
    CommissionOutcome,
    ExitReason,
    MemberState,
    NotRetainedReason,
    SessionStatus,
)
from citemploi.cohorts.models import (
    AgendaItem,
    Cohort,
    CohortMember,
    CommissionSession,
    Decision,
    MemberTransition,
    SessionAttendee,
)
from citemploi.core.policy import Role
from citemploi.demo.offer import SERVICES
from citemploi.offer.enums import AreaKind
from citemploi.offer.models import Service, ServiceArea, ServicePublic, ServiceTheme
from citemploi.offer.referentials import BARRIERS, category_of
from citemploi.orientations.enums import OPTIONAL_GROUPS, REQUIRED_GROUPS, Channel, RefusalReason
from citemploi.orientations.enums import Status as S
from citemploi.orientations.machine import LINK_TARGETS, SYSTEM_ACTOR_LABEL
from citemploi.orientations.models import (
    DEFAULT_ANSWER_DELAY_DAYS,
    DEFAULT_REMINDER_DAYS,
    Orientation,
    OrientationTransition,
)
from citemploi.orientations.services import build_snapshot
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Membership, Structure
from citemploi.pathways.enums import BarrierSeverity, BarrierSource, BarrierState
from citemploi.pathways.models import BarrierRecord, BarrierTransition
from citemploi.people.enums import AgeBand, ConsentScope, Gender
from citemploi.people.importing.inserts import Inserter
from citemploi.people.models import Beneficiary
from citemploi.territory.models import QPV, Cite, Commune
from citemploi.tracking.enums import CHECK_MONTHS, CHECKED_TYPES, RETAINED_SITUATIONS, CheckSituation
from citemploi.tracking.enums import ContractType as CT
from citemploi.tracking.enums import EntryKind as EK
from citemploi.tracking.enums import OutcomeType as OT
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome
from citemploi.tracking.services import add_months


@dataclass(frozen=True)
class Volumes:
    """How much activity each cité and person gets (the defaults give the reference ratios of issue #7)."""

    services_per_cite: int = 500
    journal_per_person: float = 10.0
    orientations_per_person: float = 4.0
    #: share of the people who left the pathway (an outcome)
    outcome_share: float = 0.3
    #: share of the people proposed to a cohort
    cohort_share: float = 0.02
    applications_per_cite: int = 100


# --- fast rows ------------------------------------------------------------------------------------------------


def _fast_converter(field: models.Field) -> Callable[[Any], Any] | None | bool:
    """A cheaper conversion than `get_db_prep_save` for the column types the generator writes most (dates,
    instants, JSON on SQLite), giving the same database values; False when Django's own one is kept."""
    kind = field.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "DateTimeField":
        if not sqlite:
            return None  # psycopg takes aware datetimes as they are (as Django's adapter does)
        utc = UTC
        # Django's SQLite adapter: naive in UTC (the connection's time zone with USE_TZ), then str(), which
        # is the UTC instant's isoformat without its "+00:00"
        return lambda value: None if value is None else value.astimezone(utc).isoformat(" ")[:-6]
    if kind == "DateField":
        return (lambda value: None if value is None else str(value)) if sqlite else None
    if kind == "JSONField" and sqlite and getattr(field, "encoder", None) is None:
        last: list[Any] = [object(), None]

        def dumps(value: Any) -> Any:
            # the orientations of a person share their snapshot: dump it once
            if value is not last[0]:
                last[0], last[1] = value, None if value is None else json.dumps(value)
            return last[1]

        return dumps
    return False


#: the compiled code of `Table.adder` functions, by source (the values they use are in their namespace)
_ADDER_CODE: dict[str, Any] = {}


class Table:
    """New rows of one model as tuples of database values, inserted in fixed-size statements.

    `add(**values)` takes attribute names (`beneficiary_id`, not `beneficiary`); the fields not given take
    their default, `auto_now(_add)` fields not given take the instant the table was opened (as pre_save
    would); `flush()` inserts the rows and returns their ids in order.
    """

    def __init__(self, model: type[models.Model], **fixed: Any):
        self.inserter = Inserter(model)
        self.names = self.inserter.attnames
        unknown = set(fixed) - set(self.names)
        if unknown:
            raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
        self.position = {name: i for i, name in enumerate(self.names)}
        # as a new instance: the default, else "" for text fields, else None; auto_now(_add): one instant
        base: dict[str, Any] = {f.attname: f.get_default() for f in self.inserter.fields}
        for name in self.inserter.stamped:
            base[name] = self.inserter.now
        base.update(fixed)
        django_converters = dict(self.inserter.converters)
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for i, f in enumerate(self.inserter.fields):
            fast = _fast_converter(f)
            if fast is False:
                if i in django_converters:
                    self.converters.append((i, django_converters[i]))
            elif fast is not None:
                self.converters.append((i, fast))  # type: ignore[arg-type]
        # the defaults, converted once; `add` converts only the values it is given
        self.convert_at = dict(self.converters)
        row = [base[name] for name in self.names]
        for i, convert in self.converters:
            row[i] = convert(row[i])
        self.base = row
        self.rows: list[tuple[Any, ...]] = []
        self.total = 0

    def add(self, **values: Any) -> int:
        """Queue a row; its position in the next `flush()`'s ids."""
        row = self.base.copy()
        position, convert_at = self.position, self.convert_at
        for name, value in values.items():
            i = position[name]
            convert = convert_at.get(i)
            row[i] = value if convert is None else convert(value)
        self.rows.append(tuple(row))
        return len(self.rows) - 1

    def adder(self, *names: str) -> Callable[..., None]:
        """A function queueing a row from the values of `names`, given positionally: for the tables of
        hundreds of thousands of rows, where `add`'s keyword dictionary and loop are the cost. It builds
        the row's tuple in one expression (compiled once per table and column list)."""
        given = {self.position[name]: k for k, name in enumerate(names)}
        if len(given) != len(names):
            raise ValueError(f"{self.inserter.model.__name__}: repeated columns in {names}")
        namespace: dict[str, Any] = {"append": self.rows.append}
        cells = []
        for i in range(len(self.names)):
            if i not in given:
                namespace[f"b{i}"] = self.base[i]
                cells.append(f"b{i}")
            elif i in self.convert_at:
                namespace[f"c{i}"] = self.convert_at[i]
                cells.append(f"c{i}(v{given[i]})")
            else:
                cells.append(f"v{given[i]}")
        params = ", ".join(f"v{k}" for k in range(len(names)))
        source = f"def add({params}):\n    append(({', '.join(cells)},))"
        code = _ADDER_CODE.get(source)
        if code is None:  # compiling is the cost of an adder: once per table and column list
            code = _ADDER_CODE[source] = compile(source, f"<{self.inserter.model.__name__} adder>", "exec")
        exec(code, namespace)  # noqa: S102
        return namespace["add"]

    def flush(self) -> list[int]:
        # the list object stays the same: `adder` functions append to it
        rows = self.rows.copy()
        self.rows.clear()
        ids = insert_rows(self.inserter, rows)
        self.total += len(ids)
        return ids


def insert_rows(inserter: Inserter, rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert rows of database values (`Inserter.values` order); their ids, in the same order.

    SQLite: one prepared single-row INSERT run by the driver's `executemany`, whose loop is in C (no SQL
    to build nor parameters to flatten per row, unlike multi-row INSERTs through Django's cursor), the
    ids read back from `last_insert_rowid()`: in a transaction that holds the write lock (IMMEDIATE), an
    AUTOINCREMENT key (Django's on SQLite) gives the new rows consecutive ids after the largest ever used.
    PostgreSQL: the ids are taken from the table's sequence first, then the rows go by COPY, which
    psycopg writes in C: Django's client-side parameter binding costs several times more per value than
    the database itself.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_rows(inserter, rows)
    opts = inserter.model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column or f.attname) for f in inserter.fields)
    sql = f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES ({', '.join(['?'] * len(inserter.fields))})"
    with transaction.atomic(savepoint=False), connection.wrap_database_errors:
        connection.ensure_connection()
        raw = connection.connection
        raw.executemany(sql, rows)
        last = raw.execute("SELECT last_insert_rowid()").fetchone()[0]
    return list(range(last - len(rows) + 1, last + 1))


def _copy_rows(inserter: Inserter, rows: list[tuple[Any, ...]]) -> list[int]:
    opts = inserter.model._meta
    qn = connection.ops.quote_name
    pk = opts.pk.column or opts.pk.attname
    columns = ", ".join(qn(f.column or f.attname) for f in [opts.pk, *inserter.fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, pk, len(rows)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        # psycopg's own cursor: its errors come out as Django's (IntegrityError…), as with Django's statements
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row((pk_value, *row))
    return ids


class _Quota:
    """Per-person average kept over a cité: each person adds `mean` to what is owed, each eligible person
    takes a draw around what is owed. Batch boundaries change nothing (one person after the other)."""

    def __init__(self, rng: random.Random, mean: float):
        self.rng = rng
        self.mean = mean
        self.owed = 0.0

    def count(self, eligible: bool, cap: int = 1_000) -> int:
        self.owed += self.mean
        if not eligible or self.owed <= 0:
            return 0
        n = min(cap, self.rng.randint(0, max(0, round(2 * self.owed))))
        self.owed -= n
        return n

    def once(self, eligible: bool) -> bool:
        self.owed += self.mean
        if eligible and self.owed > 0 and self.rng.random() < min(1.0, self.owed):
            self.owed -= 1
            return True
        return False


@dataclass
class Person:
    """What the activity of one new person needs (from bench._write_people)."""

    beneficiary: Beneficiary
    referent: Membership | None
    consents: list[dict[str, Any]]


@dataclass
class ActivityCounts:
    services: int = 0
    journal: int = 0
    orientations: int = 0
    orientation_transitions: int = 0
    barriers: int = 0
    outcomes: int = 0
    checks: int = 0
    cohort_members: int = 0
    decisions: int = 0
    calls: int = 0
    applications: int = 0
    agreements: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def labelled(self) -> dict[str, int]:
        """French label → count, for the command's summary."""
        return {
            "services dans l'annuaire": self.services,
            "entrées de journal": self.journal,
            "orientations": self.orientations,
            "transitions d'orientation": self.orientation_transitions,
            "freins identifiés": self.barriers,
            "sorties": self.outcomes,
            "points de suivi": self.checks,
            "candidatures en cohorte": self.cohort_members,
            "décisions de commission": self.decisions,
            "appels à projets": self.calls,
            "dossiers d'appel à projets": self.applications,
            "conventions": self.agreements,
        }

    def add(self, other: "ActivityCounts") -> None:
        for name in (
            "services",
            "journal",
            "orientations",
            "orientation_transitions",
            "barriers",
            "outcomes",
            "checks",
            "cohort_members",
            "decisions",
            "calls",
            "applications",
            "agreements",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# --- vocabularies of the generated texts ----------------------------------------------------------------------

#: the Amiens demo's structures (demo/offer.py) → the benchmark structure of the same kind
SERVICE_STRUCTURES = {
    "asso_nord": "asso",
    "metropole": "ville",
    "ccas": "ccas",
    "centre_social_nord": "centre-social",
    "of_numerique": "formation",
    "asso_etouvie": "asso-femmes",
    "bailleur": "ville",
    "departement": "departement",
    "club_paqte": "club",
    "ft_nord": "ft-nord",
    "ml": "ml",
    "siae": "siae",
}
SERVICE_VARIANTS = (
    "",
    "session du matin",
    "session du soir",
    "en petits groupes",
    "pour les jeunes",
    "pour les parents",
    "hors les murs",
    "renforcé",
)

JOURNAL_KINDS: list[tuple[str, float]] = [
    (EK.PHONE, 0.24),
    (EK.VISIT, 0.2),
    (EK.MESSAGE, 0.15),
    (EK.APPOINTMENT, 0.2),
    (EK.STEP, 0.09),
    (EK.EVENT, 0.04),
    (EK.IMMERSION, 0.03),
    (EK.TRAINING, 0.03),
    (EK.JOB, 0.02),
]
JOURNAL_TEXTS: dict[str, tuple[str, ...]] = {
    EK.PHONE: (
        "Point téléphonique sur les candidatures envoyées cette semaine.",
        "Appel pour confirmer le rendez-vous de jeudi.",
    ),
    EK.VISIT: (
        "Entretien de suivi : CV mis à jour, deux offres repérées ensemble.",
        "Entretien : point sur le projet professionnel et les freins.",
    ),
    EK.MESSAGE: ("Envoi par e-mail de trois offres correspondant au projet.",),
    EK.APPOINTMENT: (
        "Rendez-vous pour préparer l'entretien d'embauche.",
        "Rendez-vous avec la conseillère du service partenaire.",
    ),
    EK.STEP: ("Inscription validée à l'atelier de recherche d'emploi.", "Diagnostic de parcours réalisé."),
    EK.EVENT: ("Participation au job dating du quartier, deux entretiens obtenus.",),
    EK.IMMERSION: ("Immersion (PMSMP) d'une semaine en logistique.", "Immersion de deux semaines en EHPAD."),
    EK.TRAINING: ("Début d'une formation courte en bureautique.",),
    EK.JOB: ("Reprise d'un emploi à temps partiel dans la restauration.",),
}
PRIVATE_NOTES = ("Rappeler en fin de semaine.", "Voir avec elle la question du transport.")

ORIENTATION_MESSAGES = (
    "Besoin identifié en entretien ; la personne est motivée et disponible rapidement.",
    "Orientation proposée pour lever un frein avant la reprise d'emploi.",
    "La personne souhaite être accompagnée sur ce point ; merci de la recontacter.",
)
#: final status of the orientations old enough to have been answered, and its path through the machine
#: the columns given to the orientations' adder (see `CiteActivity._orientation`), in the order of the draws
ORIENTATION_COLUMNS = (
    "beneficiary_id",
    "service_id",
    "service_name",
    "sender_id",
    "sender_structure_id",
    "receiving_structure_id",
    "message",
    "shared_groups",
    "snapshot",
    "status",
    "sent_at",
    "deadline",
    "answered_at",
    "started_at",
    "closed_at",
    "refusal_reason",
    "refusal_details",
    "outcome",
    "reminded_at",
    "version",
    "updated_at",
)
ORIENTATION_FINALS: list[tuple[str, float]] = [
    (S.ACCEPTED, 0.1),
    (S.REFUSED, 0.15),
    (S.EXPIRED, 0.07),
    (S.WITHDRAWN, 0.03),
    (S.STARTED, 0.15),
    (S.COMPLETED, 0.38),
    (S.ABANDONED, 0.12),
]
ORIENTATION_PATHS: dict[str, tuple[str, ...]] = {
    S.ACCEPTED: (S.ACCEPTED,),
    S.REFUSED: (S.REFUSED,),
    S.EXPIRED: (S.EXPIRED,),
    S.WITHDRAWN: (S.WITHDRAWN,),
    S.STARTED: (S.ACCEPTED, S.STARTED),
    S.COMPLETED: (S.ACCEPTED, S.STARTED, S.COMPLETED),
    S.ABANDONED: (S.ACCEPTED, S.STARTED, S.ABANDONED),
}
REFUSALS: list[tuple[str, float]] = [
    (RefusalReason.NO_CAPACITY, 0.3),
    (RefusalReason.NOT_ELIGIBLE, 0.2),
    (RefusalReason.UNREACHABLE, 0.2),
    (RefusalReason.BETTER_ELSEWHERE, 0.1),
    (RefusalReason.PERSON_DECLINED, 0.15),
    (RefusalReason.OTHER, 0.05),
]
ORIENTATION_OUTCOMES = (
    "Parcours suivi jusqu'au bout ; la personne a repris confiance.",
    "Objectif atteint : permis obtenu.",
    "Accompagnement terminé, relais pris par le droit commun.",
)
ABANDON_REASONS = ("La personne ne s'est pas présentée.", "Déménagement hors de la cité.")
WITHDRAW_REASONS = ("La personne a trouvé une autre solution.", "")

BARRIER_PATHS: list[tuple[tuple[str, ...], float]] = [
    ((BarrierState.IDENTIFIED,), 0.3),
    ((BarrierState.IDENTIFIED, BarrierState.ACTION_ENGAGED), 0.3),
    ((BarrierState.IDENTIFIED, BarrierState.ACTION_ENGAGED, BarrierState.LIFTED), 0.2),
    ((BarrierState.IDENTIFIED, BarrierState.LIFTED), 0.05),
    ((BarrierState.IDENTIFIED, BarrierState.ACTION_ENGAGED, BarrierState.PERSISTING), 0.15),
]
SEVERITIES = [(BarrierSeverity.LOW, 0.25), (BarrierSeverity.MEDIUM, 0.5), (BarrierSeverity.HIGH, 0.25)]
SOURCES = [(BarrierSource.INTERVIEW, 0.75), (BarrierSource.PARTNER, 0.15), (BarrierSource.TEST, 0.1)]
BARRIER_REASONS: dict[str, str] = {
    BarrierState.IDENTIFIED: "Frein identifié",
    BarrierState.ACTION_ENGAGED: "Orientation vers un service partenaire",
    BarrierState.LIFTED: "Solution trouvée",
    BarrierState.PERSISTING: "Le frein demeure malgré l'action engagée",
}

OUTCOME_TYPES: list[tuple[str, float]] = [
    (OT.SUSTAINABLE_JOB, 0.22),
    (OT.TRANSITION_JOB, 0.18),
    (OT.SUBSIDISED_JOB, 0.1),
    (OT.APPRENTICESHIP, 0.06),
    (OT.QUALIFYING_TRAINING, 0.14),
    (OT.BUSINESS_CREATION, 0.03),
    (OT.CIVIC_SERVICE, 0.03),
    (OT.RETURN_TO_STUDIES, 0.04),
    (OT.NO_SOLUTION, 0.2),
]
EMPLOYERS = (
    "Boulangerie Au Bon Pain",
    "Logistique du Nord",
    "Clinique vétérinaire des Tilleuls",
    "Mairie",
    "Restaurant Le Relais",
    "Transports urbains",
    "AFPA",
    "GRETA",
)
CHECK_SITUATIONS: list[tuple[str, float]] = [
    (CheckSituation.SAME_JOB, 0.55),
    (CheckSituation.OTHER_JOB, 0.12),
    (CheckSituation.TRAINING, 0.08),
    (CheckSituation.JOB_SEEKING, 0.2),
    (CheckSituation.INACTIVE, 0.05),
]

EXITS: list[tuple[str, float]] = [
    (ExitReason.SOLUTION, 0.6),
    (ExitReason.DROPPED_OUT, 0.3),
    (ExitReason.MOVED, 0.1),
]
COHORTS = (
    ("Jeunes des quartiers vers l'alternance", "Jeunes de moins de 26 ans des QPV", AgeBand.YOUNG, ""),
    ("Femmes — retour à l'emploi", "Femmes des QPV éloignées de l'emploi", "", Gender.FEMALE),
    ("Emploi durable — tous publics", "Habitant·es des QPV prêt·es pour l'emploi", "", ""),
)
DECISIONS: list[tuple[str, float]] = [
    (CommissionOutcome.INTEGRATED, 0.6),
    (CommissionOutcome.WAITING, 0.2),
    (CommissionOutcome.NOT_RETAINED, 0.2),
]

PROJECTS = (
    ("Auto-école sociale", Theme.MOBILITY),
    ("Garde ponctuelle pour parents en démarche", Theme.CHILDCARE),
    ("Coaching maintien dans l'emploi", Theme.JOB_RETENTION),
    ("Français à visée professionnelle", Theme.LANGUAGE),
    ("Rencontres habitants-entreprises", Theme.BUSINESS_LINKS),
    ("Aller vers les publics hors radar", Theme.HORS_RADAR),
    ("Ateliers numériques de quartier", Theme.DIGITAL),
    ("Confiance en soi et prise de parole", Theme.SELF_CONFIDENCE),
)
#: the statuses of an application on the main line of `calls.machines.APPLICATION`
MAIN_LINE = (
    A.DRAFT,
    A.SUBMITTED,
    A.ADMISSIBLE,
    A.UNDER_REVIEW,
    A.PROPOSED,
    A.SELECTED,
    A.AGREEMENT_SIGNED,
    A.RUNNING,
    A.REPORT_DUE,
    A.REPORT_SUBMITTED,
    A.CLOSED,
)
#: final statuses by age of the call (0: this year's call, open; 1: last year's, closed; 2: archived)
APPLICATION_FINALS: dict[int, list[tuple[str, float]]] = {
    0: [
        (A.DRAFT, 0.25),
        (A.SUBMITTED, 0.15),
        (A.TO_COMPLETE, 0.1),
        (A.ADMISSIBLE, 0.1),
        (A.UNDER_REVIEW, 0.2),
        (A.PROPOSED, 0.1),
        (A.NOT_ADMISSIBLE, 0.05),
        (A.WITHDRAWN, 0.05),
    ],
    1: [
        (A.NOT_ADMISSIBLE, 0.08),
        (A.REFUSED, 0.25),
        (A.POSTPONED, 0.05),
        (A.SELECTED, 0.05),
        (A.AGREEMENT_SIGNED, 0.1),
        (A.RUNNING, 0.35),
        (A.REPORT_DUE, 0.07),
        (A.WITHDRAWN, 0.05),
    ],
    2: [
        (A.NOT_ADMISSIBLE, 0.08),
        (A.REFUSED, 0.27),
        (A.WITHDRAWN, 0.05),
        (A.CLOSED, 0.45),
        (A.REPORT_SUBMITTED, 0.05),
        (A.REPORT_TO_CORRECT, 0.03),
        (A.REIMBURSEMENT_REQUESTED, 0.07),
    ],
}
#: transitions that need a reason (calls.machines.APPLICATION.reason_required), with the reason written
APPLICATION_REASONS: dict[str, str] = {
    A.TO_COMPLETE: "Pièces manquantes : budget prévisionnel signé.",
    A.NOT_ADMISSIBLE: "Action hors du périmètre de l'appel.",
    A.REFUSED: "Action déjà financée par le droit commun.",
    A.POSTPONED: "À présenter de nouveau avec un partenariat consolidé.",
    A.REPORT_TO_CORRECT: "Le bilan financier ne reprend pas les lignes du budget.",
    A.REIMBURSEMENT_REQUESTED: "Action non réalisée : reversement de l'avance.",
}
#: the report's status that goes with a status of its file (calls.services.funding)
REPORT_STATUS: dict[str, str] = {
    A.AGREEMENT_SIGNED: ReportStatus.TO_PRODUCE,
    A.REPORT_SUBMITTED: ReportStatus.SUBMITTED,
    A.REPORT_TO_CORRECT: ReportStatus.TO_CORRECT,
    A.CLOSED: ReportStatus.VALIDATED,
}


#: cumulative weights of each options list (module constants; the list is kept so that its id stays its own)
_CUMULATIVE: dict[int, tuple[Sequence[Any], list[Any], list[float], float]] = {}


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    """A value of `options` drawn by its weight (one draw of the generator, as `random.choices`)."""
    table = _CUMULATIVE.get(id(options))
    if table is None or table[0] is not options:
        values, cumulative, total = [], [], 0.0
        for value, weight in options:
            total += weight
            values.append(value)
            cumulative.append(total)
        table = _CUMULATIVE[id(options)] = (options, values, cumulative, total)
    _, values, cumulative, total = table
    return values[bisect(cumulative, rng.random() * total, 0, len(values) - 1)]


def application_path(final: str, rng: random.Random) -> list[str]:
    """The statuses an application went through to reach `final`, along the machine's edges."""
    if final == A.TO_COMPLETE:
        return [A.DRAFT, A.SUBMITTED, A.TO_COMPLETE]
    if final == A.NOT_ADMISSIBLE:
        return [A.DRAFT, A.SUBMITTED, A.NOT_ADMISSIBLE]
    if final in (A.REFUSED, A.POSTPONED):
        return [*MAIN_LINE[: MAIN_LINE.index(A.PROPOSED) + 1], final]
    if final == A.WITHDRAWN:
        stop = rng.randint(0, MAIN_LINE.index(A.PROPOSED))
        return [*MAIN_LINE[: stop + 1], A.WITHDRAWN]
    if final == A.REIMBURSEMENT_REQUESTED:
        return [*MAIN_LINE[: MAIN_LINE.index(A.RUNNING) + 1], A.REIMBURSEMENT_REQUESTED]
    if final == A.REPORT_TO_CORRECT:
        return [*MAIN_LINE[: MAIN_LINE.index(A.REPORT_SUBMITTED) + 1], A.REPORT_TO_CORRECT]
    path: list[str] = list(MAIN_LINE[: MAIN_LINE.index(final) + 1])
    if final == A.CLOSED and rng.random() < 0.2:
        # a report corrected once before it was validated
        at = path.index(A.REPORT_SUBMITTED) + 1
        path[at:at] = [A.REPORT_TO_CORRECT, A.REPORT_SUBMITTED]
    return path


# --- the activity of one cité ---------------------------------------------------------------------------------


class CiteActivity:
    """Builds the cité-level rows at once (services, calls, cohorts and their sessions), then the activity
    of each batch of people (`add_people`)."""

    def __init__(
        self,
        *,
        seed: int,
        cite: Cite,
        commune: Commune,
        qpvs: list[QPV],
        structures: dict[str, Structure],
        referents: dict[str, list[Membership]],
        memberships: list[Membership],
        coordinator: Membership,
        today: date,
        volumes: Volumes,
        add_event: Callable[..., None],
    ):
        self.rng = random.Random(f"{seed}:{cite.slug}:activity")
        self.cite = cite
        self.commune = commune
        self.qpvs = qpvs
        self.structures = structures
        self.referents = referents
        self.coordinator = coordinator
        self.today = today
        self.tz = timezone.get_default_timezone()
        self.now = self.at(today, 18)
        self.volumes = volumes
        self.counts = ActivityCounts()
        self._labels: dict[int, str] = {}
        for m in [coordinator, *memberships]:
            self._labels[m.user_id] = str(m.user)
        #: who answers in the platform for each structure (référents and partner members)
        self.answerers: dict[int, list[Membership]] = {}
        for m in memberships:
            if m.structure_id is not None and m.role in (Role.REFERENT, Role.PARTNER_MEMBER):
                self.answerers.setdefault(m.structure_id, []).append(m)
        self.holders = {
            m.structure_id: m for m in memberships if m.role == Role.HOLDER and m.structure_id is not None
        }
        self.commission = next((m for m in memberships if m.role == Role.COMMISSION_MEMBER), None)
        self._build_services(add_event)
        self._build_calls()
        self._build_cohorts()
        self.journal = _Quota(self.rng, volumes.journal_per_person)
        self.orientation_quota = _Quota(self.rng, volumes.orientations_per_person)
        self.outcome_quota = _Quota(self.rng, volumes.outcome_share)
        self.cohort_quota = _Quota(self.rng, volumes.cohort_share)

    # --- helpers ------------------------------------------------------------------------------------------

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def moment(self, day: date) -> datetime:
        """A working-hours instant of `day`."""
        return self.at(day, self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))

    def label(self, user_id: int) -> str:
        return self._labels[user_id]

    # --- the directory ------------------------------------------------------------------------------------

    def _build_services(self, add_event: Callable[..., None]) -> None:
        rng = self.rng
        count = self.volumes.services_per_cite
        services = Table(Service, source="citemploi", version=1)
        specs: list[tuple[Any, Structure, str]] = []
        for n in range(count):
            spec = SERVICES[n % len(SERVICES)]
            structure = self.structures[SERVICE_STRUCTURES[spec.structure]]
            variant = SERVICE_VARIANTS[(n // len(SERVICES)) % len(SERVICE_VARIANTS)]
            number = n // (len(SERVICES) * len(SERVICE_VARIANTS))
            qpv = self.qpvs[n % len(self.qpvs)] if self.qpvs else None
            name = spec.name + (f" — {variant}" if variant else "") + (f" ({number + 1})" if number else "")
            if qpv is not None and rng.random() < 0.3:
                name = f"{name} — {qpv.name}"
            age_months = spec.age_months if rng.random() < 0.8 else rng.randint(1, 10)
            services.add(
                structure_id=structure.pk,
                name=name[:150],
                description=spec.description,
                nature=spec.nature,
                funding_cite_id=self.cite.pk if spec.nature == "aap" else None,
                step=spec.step,
                type=spec.type,
                prescribers=spec.prescribers,
                email=structure.email,
                phone=structure.phone,
                modes_accueil=list(spec.modes),
                address=structure.address,
                postcode="",
                city=self.commune.name,
                insee_code=self.commune.insee_code,
                capacity=spec.capacity,
                waiting_list=spec.waiting_list,
                published=rng.random() < 0.95,
                last_updated_on=self.today - timedelta(days=30 * age_months + rng.randint(0, 20)),
                source_id=f"citemploi--{rng.getrandbits(64):016x}",
            )
            specs.append((spec, structure, name[:150]))
        ids = services.flush()
        themes = Table(ServiceTheme)
        publics = Table(ServicePublic)
        areas = Table(ServiceArea)
        self.services: list[tuple[int, int, str]] = []
        for row, (pk, (spec, structure, name)) in enumerate(zip(ids, specs, strict=True)):
            for code in spec.themes:
                themes.add(service_id=pk, code=code, category=category_of(code))
            for code in spec.publics:
                publics.add(service_id=pk, code=code)
            areas.add(service_id=pk, kind=AreaKind.COMMUNE, code=self.commune.insee_code)
            if row % 5 == 0:
                areas.add(service_id=pk, kind=AreaKind.DEPARTEMENT, code=self.commune.department)
            self.services.append((pk, structure.pk, name))
            add_event(
                self.coordinator,
                "service.create",
                _Ref(Service, pk),
                changes={
                    "name": [None, name],
                    "nature": [None, spec.nature],
                    "themes": [[], sorted(spec.themes)],
                    "publics": [[], sorted(spec.publics)],
                    "areas": [[], [f"commune:{self.commune.insee_code}"]],
                },
            )
        themes.flush()
        publics.flush()
        areas.flush()
        self.counts.services = len(ids)
        # Orientation targets: for each sending structure, the services of the other structures.
        self.targets: dict[int, list[tuple[int, int, str]]] = {}
        for s in self.structures.values():
            self.targets[s.pk] = [row for row in self.services if row[1] != s.pk]

    # --- calls for projects -------------------------------------------------------------------------------

    def _build_calls(self) -> None:
        rng = self.rng
        total = self.volumes.applications_per_cite
        if total <= 0:
            return
        year = self.today.year
        coordinator = self.coordinator
        coord_label = self.label(coordinator.user_id)
        department = self.commune.department
        funder = f"{department} – ETAT – POLITIQUE VILLE"
        calls = Table(Call)
        specs = []
        for age in (2, 1, 0):
            status: str = {2: CallStatus.ARCHIVED, 1: CallStatus.CLOSED, 0: CallStatus.PUBLISHED}[age]
            opens = date(year - age, 1, 15)
            closes = (
                date(year - age, 4, 15) if age else max(self.today + timedelta(days=30), date(year, 4, 15))
            )
            calls.add(
                cite_id=self.cite.pk,
                year=year - age,
                title=f"Appel à projets Cité de l'emploi {self.cite.name} {year - age}",
                summary="Des actions qui lèvent les freins à l'emploi des habitant·es des QPV.",
                rules_text="Actions sur un an, jusqu'à 100 % des dépenses éligibles ; budget équilibré.",
                themes=[Theme.MOBILITY, Theme.CHILDCARE, Theme.JOB_RETENTION],
                envelope=Decimal(rng.randrange(150_000, 400_001, 10_000)),
                eligible_holders="Associations et structures de l'insertion",
                eligible_publics="Habitant·es des QPV de la cité",
                opens_at=self.at(opens, 9),
                closes_at=self.at(closes, 12),
                contact_name=coord_label,
                contact_email=coordinator.user.email,
                funder_label=funder,
                status=status,
            )
            specs.append((age, status, opens, closes))
        call_ids = calls.flush()
        self.counts.calls += len(call_ids)
        log = Table(CallTransition)
        path: list[str] = [CallStatus.DRAFT, CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.ARCHIVED]
        for pk, (_, status, opens, closes) in zip(call_ids, specs, strict=True):
            moments = [self.at(opens - timedelta(days=20), 10), self.at(opens, 9), self.at(closes, 12)]
            moments.append(self.at(date(closes.year + 1, 3, 1), 10))
            for step in range(path.index(status) + 1):
                log.add(
                    call_id=pk,
                    from_status=path[step - 1] if step else "",
                    to_status=path[step],
                    actor_id=coordinator.user_id,
                    actor_label=coord_label,
                    reason="Création de l'appel" if not step else "",
                    created_at=moments[step],
                )
        log.flush()

        holders = [s for s in self.structures.values() if s.kind == StructureKind.ASSOCIATION]
        prefix = self.cite.slug.upper().replace("-", "")[:10] or "AAP"
        apps = Table(Application)
        plans = []
        numbers = dict.fromkeys(call_ids, 0)
        shares = {2: 0.35, 1: 0.35, 0: 0.30}
        quotas = {age: round(total * share) for age, share in shares.items()}
        quotas[0] = total - quotas[2] - quotas[1]
        for pk, (age, _, opens, closes) in zip(call_ids, specs, strict=True):
            for _ in range(quotas[age]):
                numbers[pk] += 1
                holder = rng.choice(holders)
                member = self.holders.get(holder.pk)
                final = weighted(rng, APPLICATION_FINALS[age])
                steps = application_path(final, rng)
                title, theme = rng.choice(PROJECTS)
                requested = Decimal(rng.randrange(5_000, 40_001, 500))
                cofunding = Decimal(rng.choice((0, 0, 2_000, 3_000, 5_000)))
                starts = date(opens.year, rng.randint(5, 7), 1)
                ends = add_months(starts, 12) - timedelta(days=1)
                # one instant per step: creation, then every few days (weeks after the close for the decision)
                created = min(self.day_between(opens, closes - timedelta(days=5)), self.today)
                moments = [self.moment(created)]
                day = created
                for status in steps[1:]:
                    if status == A.UNDER_REVIEW:
                        day = max(day, closes) + timedelta(days=rng.randint(1, 10))
                    elif status in (A.RUNNING, A.REPORT_DUE):
                        day = starts if status == A.RUNNING else ends + timedelta(days=1)
                    elif status in (A.REPORT_SUBMITTED, A.CLOSED):
                        day = max(day, ends) + timedelta(days=rng.randint(10, 60))
                    else:
                        day = day + timedelta(days=rng.randint(1, 15))
                    moments.append(self.moment(min(max(day, created), self.today)))
                for i in range(1, len(moments)):
                    moments[i] = max(moments[i], moments[i - 1])
                submitted = next((m for s, m in zip(steps, moments, strict=True) if s == A.SUBMITTED), None)
                granted = A.SELECTED in steps
                reference = f"{prefix}-{opens.year}-{pk}-{numbers[pk]:03d}"
                apps.add(
                    call_id=pk,
                    holder_id=holder.pk,
                    reference=reference,
                    title=f"CITE EMPLOI-{title}",
                    status=final,
                    version=len(steps),
                    created_by_id=member.user_id if member else coordinator.user_id,
                    holder_siret=holder.siret,
                    holder_rna=holder.rna,
                    signatory_name=f"Présidence de {holder.name}"[:200],
                    signatory_role="Président·e",
                    contact_name=self.label(member.user_id) if member else "",
                    contact_email=member.user.email if member else holder.email,
                    contact_phone=holder.phone,
                    description=f"{title} pour les habitant·es des QPV de {self.cite.name}.",
                    theme=theme,
                    target_people=rng.randint(15, 80),
                    target_young=rng.randint(0, 15),
                    target_women=rng.randint(5, 15),
                    target_seniors=rng.randint(0, 5),
                    places=f"Quartiers prioritaires de {self.cite.name}",
                    start_date=starts,
                    end_date=ends,
                    hr_description="Une intervenante à mi-temps, une coordinatrice à 0,2 ETP.",
                    hr_fte=Decimal("0.7"),
                    hr_volunteers=rng.randint(0, 4),
                    requested_amount=requested,
                    complete_by=(moments[-1] + timedelta(days=15)).date() if final == A.TO_COMPLETE else None,
                    submitted_at=submitted,
                    awarded_amount=requested if granted else None,
                    reimbursement_amount=(
                        (requested / 2).quantize(Decimal("0.01"))
                        if final == A.REIMBURSEMENT_REQUESTED
                        else None
                    ),
                    created_at=moments[0],
                    updated_at=moments[-1],
                )
                plans.append((steps, moments, requested, cofunding, starts, ends, member, reference))
        app_ids = apps.flush()
        self.counts.applications += len(app_ids)

        transitions = Table(ApplicationTransition)
        budget = Table(BudgetEntry)
        objectives = Table(CallObjective)
        activities = Table(Activity)
        qpv_links = Application.qpvs.through
        qpv_rows = []
        agreements = Table(Agreement)
        signed = []
        for app_id, (steps, moments, requested, cofunding, starts, ends, member, reference) in zip(
            app_ids, plans, strict=True
        ):
            for i, status in enumerate(steps):
                holder_step = status in (A.DRAFT, A.SUBMITTED, A.WITHDRAWN) or (status == A.REPORT_SUBMITTED)
                actor = member if holder_step and member else coordinator
                transitions.add(
                    application_id=app_id,
                    from_status=steps[i - 1] if i else "",
                    to_status=status,
                    actor_id=actor.user_id,
                    actor_label=self.label(actor.user_id),
                    reason="Création du dossier" if not i else APPLICATION_REASONS.get(status, ""),
                    created_at=moments[i],
                )
            salaries = (requested * Decimal("0.7")).quantize(Decimal("1"))
            lines = [
                ("641", "", salaries),
                ("645", "", requested - salaries + cofunding),
                ("74etat", funder, requested),
            ]
            if cofunding:
                lines.append(("74dep", "Département", cofunding))
            for position, (line, label, amount) in enumerate(lines):
                budget.add(application_id=app_id, line=line, label=label, amount=amount, position=position)
            target = rng.randint(10, 40)
            objectives.add(
                application_id=app_id,
                position=0,
                title="Accompagner les habitant·es des QPV",
                indicator="Personnes accompagnées",
                unit="personnes",
                target=Decimal(target),
            )
            objectives.add(
                application_id=app_id,
                position=1,
                title="Accéder à un emploi ou une formation",
                indicator="Sorties en emploi ou formation",
                unit="personnes",
                target=Decimal(target // 3),
            )
            activities.add(application_id=app_id, position=0, title="Ateliers collectifs", planned_hours=120)
            activities.add(application_id=app_id, position=1, title="Suivi individuel", planned_hours=200)
            if self.qpvs:
                qpv_rows.append(qpv_links(application_id=app_id, qpv_id=rng.choice(self.qpvs).pk))
            if A.AGREEMENT_SIGNED in steps:
                signed_at = moments[steps.index(A.AGREEMENT_SIGNED)]
                agreements.add(
                    application_id=app_id,
                    number=f"{reference}-CONV",
                    amount=requested,
                    starts_on=starts,
                    ends_on=ends,
                    report_due_on=ends + timedelta(days=90),
                    signed_on=signed_at.date(),
                    created_by_id=coordinator.user_id,
                    created_at=moments[steps.index(A.SELECTED)],
                )
                signed.append((app_id, steps, moments, requested, lines, ends))
        transitions.flush()
        budget.flush()
        objective_ids = objectives.flush()
        activity_ids = activities.flush()
        qpv_links.objects.bulk_create(qpv_rows)
        agreement_ids = agreements.flush()
        self.counts.agreements += len(agreement_ids)
        objective_of = {app_id: objective_ids[2 * i : 2 * i + 2] for i, app_id in enumerate(app_ids)}
        activity_of = {app_id: activity_ids[2 * i : 2 * i + 2] for i, app_id in enumerate(app_ids)}
        installments = Table(Installment)
        for agreement_id, (_, _, _, requested, _, _) in zip(agreement_ids, signed, strict=True):
            advance = (requested / 2).quantize(Decimal("0.01"))
            installments.add(agreement_id=agreement_id, kind=InstallmentKind.ADVANCE, amount=advance)
            installments.add(
                agreement_id=agreement_id, kind=InstallmentKind.BALANCE, amount=requested - advance
            )
        installment_ids = installments.flush()
        payments = Table(Payment)
        reports = Table(Report)
        for i, (agreement_id, (_, steps, moments, requested, _, _)) in enumerate(
            zip(agreement_ids, signed, strict=True)
        ):
            advance_id, balance_id = installment_ids[2 * i], installment_ids[2 * i + 1]
            advance = (requested / 2).quantize(Decimal("0.01"))
            signed_at = moments[steps.index(A.AGREEMENT_SIGNED)]
            payments.add(
                agreement_id=agreement_id,
                installment_id=advance_id,
                amount=advance,
                paid_on=min(signed_at.date() + timedelta(days=20), self.today),
                reference=f"MANDAT-{agreement_id}-1",
                recorded_by_id=coordinator.user_id,
            )
            if steps[-1] == A.CLOSED:
                payments.add(
                    agreement_id=agreement_id,
                    installment_id=balance_id,
                    amount=requested - advance,
                    paid_on=moments[-1].date(),
                    reference=f"MANDAT-{agreement_id}-2",
                    recorded_by_id=coordinator.user_id,
                )
        payments.flush()
        report_plans = []
        for app_id, steps, moments, _, lines, ends in signed:
            # the report follows the file: opened at the signature, submitted, corrected, validated
            statuses, report_moments = [], []
            for status, moment in zip(steps, moments, strict=True):
                if status in REPORT_STATUS:
                    statuses.append(REPORT_STATUS[status])
                    report_moments.append(moment)
            handed_in = statuses[-1] != ReportStatus.TO_PRODUCE
            reports.add(
                application_id=app_id,
                status=statuses[-1],
                due_on=ends + timedelta(days=90),
                narrative="Action réalisée comme prévu ; voir les indicateurs." if handed_in else "",
                correction_request=APPLICATION_REASONS[A.REPORT_TO_CORRECT]
                if statuses[-1] == ReportStatus.TO_CORRECT
                else "",
                submitted_at=report_moments[1] if handed_in else None,
                validated_at=report_moments[-1] if statuses[-1] == ReportStatus.VALIDATED else None,
                version=len(statuses),
            )
            report_plans.append((app_id, statuses, report_moments, lines))
        report_ids = reports.flush()
        report_log = Table(ReportTransition)
        results = Table(ObjectiveResult)
        activity_results = Table(ActivityResult)
        financial = Table(FinancialLine)
        for report_id, (app_id, statuses, report_moments, lines) in zip(
            report_ids, report_plans, strict=True
        ):
            for k, status in enumerate(statuses):
                actor = coordinator
                report_log.add(
                    report_id=report_id,
                    from_status=statuses[k - 1] if k else "",
                    to_status=status,
                    actor_id=actor.user_id,
                    actor_label=self.label(actor.user_id),
                    reason="Convention signée" if not k else "",
                    created_at=report_moments[k],
                )
            for objective_id in objective_of[app_id]:
                results.add(report_id=report_id, objective_id=objective_id)
            for activity_id in activity_of[app_id]:
                activity_results.add(report_id=report_id, activity_id=activity_id)
            for position, (line, label, amount) in enumerate(lines):
                financial.add(report_id=report_id, line=line, label=label, planned=amount, position=position)
        for table in (report_log, results, activity_results, financial):
            table.flush()

    # --- cohorts ------------------------------------------------------------------------------------------

    def _build_cohorts(self) -> None:
        coordinator = self.coordinator
        cohorts = Table(Cohort)
        start = add_months(self.today, -10)
        for name, public, age_band, gender in COHORTS:
            cohorts.add(
                cite_id=self.cite.pk,
                name=name,
                target_public=public,
                age_band=age_band,
                gender=gender,
                target_size=self.rng.randint(20, 60),
                start_date=start,
                state=CohortState.OPEN,
                created_by_id=coordinator.user_id,
            )
        self.cohort_ids = cohorts.flush()
        # Monthly sessions: six closed ones, the next one in preparation.
        sessions = Table(CommissionSession)
        chair = self.commission
        held = [add_months(self.today, -k) for k in range(6, 0, -1)] + [add_months(self.today, 1)]
        for day in held:
            closed = day < self.today
            sessions.add(
                cite_id=self.cite.pk,
                held_on=day,
                place=f"Mairie de {self.commune.name}",
                chair_id=chair.pk if chair else None,
                status=SessionStatus.CLOSED if closed else SessionStatus.PREPARING,
                closed_at=self.at(day, 17) if closed else None,
                closed_by_id=coordinator.user_id if closed else None,
                created_by_id=coordinator.user_id,
                version=2 if closed else 1,
            )
        ids = sessions.flush()
        self.sessions = list(zip(ids, held, strict=True))
        attendees = Table(SessionAttendee)
        for session_id, day in self.sessions:
            for m in (coordinator, chair):
                if m is not None:
                    attendees.add(session_id=session_id, membership_id=m.pk, present=day < self.today)
        attendees.flush()
        self.agenda_positions = dict.fromkeys(ids, 0)

    # --- people -------------------------------------------------------------------------------------------

    def add_people(self, people: Iterable[Person]) -> None:
        rng = self.rng
        today = self.today
        journal = Table(JournalEntry, sensitive_confirmed=False, version=1)
        add_entry = journal.adder(
            "beneficiary_id",
            "kind",
            "occurred_on",
            "text",
            "private_note",
            "author_id",
            "author_membership_id",
            "structure_id",
        )
        orientations = Table(Orientation, cite_id=self.cite.pk)
        add_orientation = orientations.adder(*ORIENTATION_COLUMNS)
        barriers = Table(BarrierRecord, cite_id=self.cite.pk, version=1)
        add_barrier = barriers.adder(
            "beneficiary_id", "barrier", "sensitive", "severity", "source", "identified_on", "identified_by_id",
            "identified_by_membership_id", "identified_by_structure_id", "state", "state_changed_at", "created_at",
            "updated_at",
        )  # fmt: skip
        outcomes = Table(Outcome)
        members = Table(CohortMember)
        orientation_steps: list[list[tuple[str, str, datetime, Membership | None, str]]] = []
        barrier_steps: list[list[tuple[str, datetime]]] = []
        barrier_owner: list[Membership] = []
        outcome_checks: list[tuple[str, date, Membership, list[dict]]] = []
        member_plans: list[tuple[Any, ...]] = []
        for person in people:
            b, referent = person.beneficiary, person.referent
            start = b.identified_on
            sharing = [
                c["given_on"]
                for c in person.consents
                if c["scope"] == ConsentScope.SHARING and not c.get("withdrawn_on")
            ]
            commission = [c["given_on"] for c in person.consents if c["scope"] == ConsentScope.COMMISSION]
            # Everything is written by the référent: a person without one only adds to the quotas.
            followed = referent is not None
            entries = self.journal.count(followed, cap=60)
            oriented = self.orientation_quota.count(followed and bool(sharing), cap=30)
            left = self.outcome_quota.once(followed)
            candidate = self.cohort_quota.once(followed and bool(commission) and commission[0] < today)
            if referent is None:
                continue
            for _ in range(entries):
                kind = weighted(rng, JOURNAL_KINDS)
                add_entry(
                    b.pk,
                    kind,
                    self.day_between(start, today),
                    rng.choice(JOURNAL_TEXTS[kind]),
                    rng.choice(PRIVATE_NOTES) if rng.random() < 0.05 else "",
                    referent.user_id,
                    referent.pk,
                    referent.structure_id,
                )
            # Orientations, only with an active consent to sharing (given before they are sent).
            if oriented:
                # what the référent shares about the person, the same for all their orientations
                groups = [str(g) for g in REQUIRED_GROUPS] + [
                    str(g) for g in OPTIONAL_GROUPS if rng.random() < 0.35
                ]
                snapshot = build_snapshot(b, groups)
            for _ in range(oriented):
                self._orientation(
                    b, referent, max(sharing[0], start), groups, snapshot, add_orientation, orientation_steps
                )
            # Barriers of the diagnostic: one to three, one record per barrier.
            for barrier in rng.sample(BARRIERS, rng.randint(1, 3)):
                path = weighted(rng, BARRIER_PATHS)
                day = self.day_between(start, today)
                steps = [(path[0], self.moment(day))]
                for state in path[1:]:
                    day = min(day + timedelta(days=rng.randint(7, 90)), today)
                    steps.append((state, max(self.moment(day), steps[-1][1])))
                add_barrier(
                    b.pk,
                    barrier.code,
                    barrier.sensitive,
                    weighted(rng, SEVERITIES),
                    weighted(rng, SOURCES),
                    steps[0][1].date(),
                    referent.user_id,
                    referent.pk,
                    referent.structure_id,
                    path[-1],
                    steps[-1][1],
                    steps[0][1],
                    steps[-1][1],
                )
                barrier_steps.append(steps)
                barrier_owner.append(referent)
            if left:
                self._outcome(b, referent, outcomes, outcome_checks)
            if candidate:
                self._candidate(b, referent, max(commission[0], start), members, member_plans)

        journal.flush()
        self.counts.journal += journal.total
        self._flush_orientations(orientations, orientation_steps)
        self._flush_barriers(barriers, barrier_steps, barrier_owner)
        self._flush_outcomes(outcomes, outcome_checks)
        self._flush_candidates(members, member_plans)

    def _orientation(
        self,
        b: Beneficiary,
        referent: Membership,
        earliest: date,
        groups: list[str],
        snapshot: dict[str, Any],
        add: Callable[..., None],
        plans: list[list[tuple[str, str, datetime, Membership | None, str]]],
    ) -> None:
        """Queue one orientation (`add`: the orientations' adder, ORIENTATION_COLUMNS) and its moves."""
        rng = self.rng
        service_id, receiver_id, service_name = rng.choice(self.targets[referent.structure_id or 0])
        answerers = self.answerers.get(receiver_id, [])
        # in UTC, as the service computes the deadline (`timezone.now() + delay`, whatever the DST change)
        sent_at = self.moment(self.day_between(earliest, self.today)).astimezone(UTC)
        if sent_at > self.now:
            sent_at = self.now - timedelta(hours=1)
        deadline = sent_at + timedelta(days=DEFAULT_ANSWER_DELAY_DAYS)
        final = weighted(rng, ORIENTATION_FINALS)
        if not answerers and final not in LINK_TARGETS | {S.EXPIRED, S.WITHDRAWN}:
            # no account in the platform: the structure answers by the single-use link only
            final = rng.choice((S.ACCEPTED, S.REFUSED))
        # (status, from, at, actor, reason) of each move, kept while in the past
        steps: list[tuple[str, str, datetime, Membership | None, str]] = [(S.SENT, "", sent_at, referent, "")]
        moment = sent_at
        fields: dict[str, Any] = {}
        receiver = rng.choice(answerers) if answerers else None
        for target in ORIENTATION_PATHS[final]:
            if target == S.EXPIRED:
                moment = deadline
            elif target in (S.ACCEPTED, S.REFUSED, S.WITHDRAWN):
                moment = sent_at + timedelta(hours=rng.randint(2, 24 * DEFAULT_ANSWER_DELAY_DAYS - 2))
            elif target == S.STARTED:
                moment = moment + timedelta(days=rng.randint(1, 20))
            else:
                moment = moment + timedelta(days=rng.randint(7, 120))
            if moment > self.now:
                break
            reason = ""
            actor: Membership | None = receiver
            if target == S.REFUSED:
                code = weighted(rng, REFUSALS)
                details = "Action complète jusqu'en septembre." if code == RefusalReason.OTHER else ""
                fields.update(refusal_reason=code, refusal_details=details)
                reason = RefusalReason(code).label + (f" — {details}" if details else "")
            elif target == S.COMPLETED:
                reason = fields["outcome"] = rng.choice(ORIENTATION_OUTCOMES)
            elif target == S.ABANDONED:
                reason = rng.choice(ABANDON_REASONS)
            elif target == S.WITHDRAWN:
                actor, reason = referent, rng.choice(WITHDRAW_REASONS)
            elif target == S.EXPIRED:
                actor = None
            steps.append((target, steps[-1][0], moment, actor, reason))
        if steps[-1][0] == S.SENT and deadline <= self.now:
            steps.append((S.EXPIRED, S.SENT, deadline, None, ""))
        status = steps[-1][0]
        times = {target: at for target, _, at, _, _ in steps}
        answered = times.get(S.ACCEPTED) or times.get(S.REFUSED)
        closed = (
            steps[-1][2] if status in (S.REFUSED, S.EXPIRED, S.WITHDRAWN, S.COMPLETED, S.ABANDONED) else None
        )
        reminder = deadline - timedelta(days=DEFAULT_REMINDER_DAYS)
        waited = answered or times.get(S.WITHDRAWN) or (deadline if status == S.EXPIRED else self.now)
        add(
            b.pk,  # beneficiary_id
            service_id,
            service_name,
            referent.user_id,  # sender_id
            referent.structure_id,  # sender_structure_id
            receiver_id,  # receiving_structure_id
            rng.choice(ORIENTATION_MESSAGES),  # message
            groups,  # shared_groups
            snapshot,
            status,
            sent_at,
            deadline,
            answered,  # answered_at
            times.get(S.STARTED) if status in (S.STARTED, S.COMPLETED, S.ABANDONED) else None,  # started_at
            closed,  # closed_at
            fields.get("refusal_reason", ""),  # refusal_reason
            fields.get("refusal_details", ""),  # refusal_details
            fields.get("outcome", ""),  # outcome
            reminder if reminder < waited else None,  # reminded_at
            len(steps),  # version
            steps[-1][2],  # updated_at
        )
        plans.append(steps)

    def _flush_orientations(
        self, table: Table, plans: list[list[tuple[str, str, datetime, Membership | None, str]]]
    ) -> None:
        ids = table.flush()
        self.counts.orientations += len(ids)
        log = Table(OrientationTransition)
        by_user = log.adder(
            "orientation_id", "at", "actor_id", "actor_label", "actor_structure_id", "source", "target", "reason",
            "channel",
        )  # fmt: skip
        by_system = log.adder("orientation_id", "at", "actor_label", "source", "target", "channel")
        by_link = log.adder("orientation_id", "at", "actor_label", "source", "target", "reason", "channel")
        label = self.label
        for pk, steps in zip(ids, plans, strict=True):
            for target, source, at, actor, reason in steps:
                if actor is not None:
                    by_user(
                        pk, at, actor.user_id, label(actor.user_id), actor.structure_id, source, target, reason,
                        Channel.WEB,
                    )  # fmt: skip
                elif target == S.EXPIRED:
                    by_system(pk, at, SYSTEM_ACTOR_LABEL, source, target, Channel.SYSTEM)
                else:  # answered by the single-use link
                    by_link(pk, at, "lien à usage unique", source, target, reason, Channel.LINK)
        log.flush()
        self.counts.orientation_transitions += log.total

    def _flush_barriers(
        self, table: Table, plans: list[list[tuple[str, datetime]]], owners: list[Membership]
    ) -> None:
        ids = table.flush()
        self.counts.barriers += len(ids)
        log = Table(BarrierTransition)
        add = log.adder("record_id", "from_state", "to_state", "reason", "at", "by_id", "by_structure_id")
        for pk, steps, owner in zip(ids, plans, owners, strict=True):
            previous = ""
            for state, at in steps:
                add(pk, previous, state, BARRIER_REASONS[state], at, owner.user_id, owner.structure_id)
                previous = state
        log.flush()

    def _outcome(
        self,
        b: Beneficiary,
        referent: Membership,
        table: Table,
        checks: list[tuple[str, date, Membership, list[dict]]],
    ) -> None:
        rng = self.rng
        kind = weighted(rng, OUTCOME_TYPES)
        day = self.day_between(min(b.identified_on + timedelta(days=30), self.today), self.today)
        contract, months, hours, employer = "", None, None, ""
        if kind == OT.SUSTAINABLE_JOB:
            contract = rng.choice((CT.CDI, CT.CDD))
            months = None if contract == CT.CDI else rng.randint(6, 24)
        elif kind == OT.TRANSITION_JOB:
            contract = rng.choice((CT.CDD, CT.TEMPING))
            months = rng.randint(1, 5)
        elif kind == OT.SUBSIDISED_JOB:
            contract, months = CT.SUBSIDISED, rng.randint(6, 24)
        elif kind == OT.APPRENTICESHIP:
            contract, months = CT.APPRENTICESHIP, rng.randint(12, 24)
        elif kind == OT.QUALIFYING_TRAINING:
            contract, months = CT.TRAINEE, rng.randint(3, 12)
        elif kind == OT.BUSINESS_CREATION:
            contract = CT.SELF_EMPLOYED
        if contract:
            employer = rng.choice(EMPLOYERS)
            hours = Decimal(rng.choice((20, 24, 28, 35)))
        table.add(
            beneficiary_id=b.pk,
            type=kind,
            outcome_on=day,
            employer=employer,
            contract_type=contract,
            contract_months=months,
            weekly_hours=hours,
            recorded_by_id=referent.user_id,
            recorded_by_structure_id=referent.structure_id,
            recorded_at=self.moment(day),
        )
        # its 3/6/12-month checks (drawn now, person after person), most of those due recorded
        rows: list[dict[str, Any]] = []
        if kind in CHECKED_TYPES:
            for months in CHECK_MONTHS:
                due = add_months(day, months)
                if due <= self.today and rng.random() < 0.75:
                    situation = weighted(rng, CHECK_SITUATIONS)
                    rows.append(
                        {
                            "months": months,
                            "due_on": due,
                            "recorded_on": min(due + timedelta(days=rng.randint(0, 30)), self.today),
                            "recorded_by_id": referent.user_id,
                            "still_in_job_or_training": situation in RETAINED_SITUATIONS,
                            "situation": situation,
                        }
                    )
                else:
                    rows.append({"months": months, "due_on": due})
        checks.append((kind, day, referent, rows))

    def _flush_outcomes(self, table: Table, plans: list[tuple[str, date, Membership, list[dict]]]) -> None:
        ids = table.flush()
        self.counts.outcomes += len(ids)
        checks = Table(FollowUpCheck)
        for pk, (_, _, _, rows) in zip(ids, plans, strict=True):
            for row in rows:
                checks.add(outcome_id=pk, **row)
        checks.flush()
        self.counts.checks += checks.total

    def _candidate(
        self, b: Beneficiary, referent: Membership, earliest: date, table: Table, plans: list[tuple[Any, ...]]
    ) -> None:
        rng = self.rng
        age = (self.today - b.birth_date).days // 365 if b.birth_date else 30
        if age < 26:
            cohort = self.cohort_ids[0]
        elif b.gender == Gender.FEMALE and rng.random() < 0.5:
            cohort = self.cohort_ids[1]
        else:
            cohort = self.cohort_ids[2]
        proposed = self.day_between(max(earliest, add_months(self.today, -7)), self.today - timedelta(days=1))
        session = next(((pk, day) for pk, day in self.sessions if day > proposed), None)
        state: str = MemberState.PROPOSED
        steps: list[tuple[Any, ...]] = [(MemberState.PROPOSED, "", proposed, None)]
        extra: dict[str, Any] = {}
        decision: tuple[str, str] | None = None
        if session is not None and session[1] < self.today:
            outcome = weighted(rng, DECISIONS)
            not_retained = ""
            if outcome == CommissionOutcome.NOT_RETAINED:
                not_retained = rng.choice(
                    [NotRetainedReason.CRITERIA, NotRetainedReason.FULL, NotRetainedReason.NOT_READY]
                )
                extra["not_retained_reason"] = not_retained
            decision = (outcome, not_retained)
            steps.append((MemberState.EXAMINED, MemberState.PROPOSED, session[1], session[0]))
            text = NotRetainedReason(not_retained).label if not_retained else CommissionOutcome(outcome).label
            steps.append((outcome, MemberState.EXAMINED, session[1], session[0], text))
            state = outcome
            if outcome == CommissionOutcome.INTEGRATED:
                extra["integrated_on"] = session[1]
                if rng.random() < 0.25 and session[1] < self.today - timedelta(days=7):
                    exited = self.day_between(session[1] + timedelta(days=7), self.today)
                    reason = weighted(rng, EXITS)
                    extra.update(exit_reason=reason, exited_on=exited)
                    steps.append(
                        (MemberState.EXITED, MemberState.INTEGRATED, exited, None, ExitReason(reason).label)
                    )
                    state = MemberState.EXITED
        table.add(
            cohort_id=cohort,
            beneficiary_id=b.pk,
            proposing_structure_id=referent.structure_id,
            proposed_by_id=referent.user_id,
            proposal_reason="Projet professionnel construit, disponible pour entrer dans la cohorte.",
            proposed_on=proposed,
            state=state,
            **extra,
        )
        plans.append((referent, steps, session, decision))

    def _flush_candidates(self, table: Table, plans: list[tuple[Any, ...]]) -> None:
        ids = table.flush()
        self.counts.cohort_members += len(ids)
        log = Table(MemberTransition)
        agenda = Table(AgendaItem)
        decisions = Table(Decision)
        coordinator = self.coordinator
        coord_label = self.label(coordinator.user_id)
        for pk, (referent, steps, session, decision) in zip(ids, plans, strict=True):
            for step in steps:
                target, source, day, session_id = step[0], step[1], step[2], step[3]
                by_referent = target in (MemberState.PROPOSED, MemberState.EXITED)
                actor = referent if by_referent else coordinator
                log.add(
                    member_id=pk,
                    from_state=source,
                    to_state=target,
                    effective_on=day,
                    actor_id=actor.user_id,
                    actor_label=self.label(actor.user_id) if by_referent else coord_label,
                    reason=step[4]
                    if len(step) > 4
                    else (
                        "Projet professionnel construit, disponible pour entrer dans la cohorte."
                        if target == MemberState.PROPOSED
                        else ""
                    ),
                    session_id=session_id,
                    at=self.at(day, 17 if session_id else 10),
                )
            if session is not None:
                self.agenda_positions[session[0]] += 1
                agenda.add(session_id=session[0], member_id=pk, position=self.agenda_positions[session[0]])
            if decision is not None and session is not None:
                decisions.add(
                    session_id=session[0],
                    member_id=pk,
                    outcome=decision[0],
                    not_retained_reason=decision[1],
                    recorded_by_id=coordinator.user_id,
                    recorded_at=self.at(session[1], 16),
                )
        log.flush()
        agenda.flush()
        decisions.flush()
        self.counts.decisions += decisions.total


class _Ref:
    """A saved row known by its model and id (for an audit row without loading the instance)."""

    def __init__(self, model: type[models.Model], pk: int):
        self._meta = model._meta
        self.pk = pk
