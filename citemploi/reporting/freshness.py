"""Indicator results kept while the data they were computed from has not changed.

A dashboard computes some thirty indicators over every person of a cité (or of every cité): seconds at
national scale. The figures only change when the data does, so each indicator's table is kept in the cache
under a key made of the question (indicator, cités, period, cut, filters, today's date) and of the *data
versions* of the cités asked: one counter per cité and one for everything (scope 0), in the database table
`reporting_dataversion`, so that every process and host sees the same versions even with a cache local to
each process.

Versions are bumped by the database itself being written, not by each feature remembering to: a statement
wrapper on every connection notices INSERT/UPDATE/DELETE on a table the indicators read and, when that
transaction commits, adds one to the version of the acting user's cité (tables of a cité's own data, see
`CITE_TABLES`) or to the global version (shared tables: structures, services, territory; and any write done
without a cité, e.g. by the worker or a management command). Writes that bypass Django's cursor (COPY of the
demo generator) call `bump_all()` themselves. A cached result also expires after INDICATOR_CACHE_SECONDS, so
that no missed path could show stale figures for long, and `citemploi restore` starts a new epoch.

The statistical secrecy is applied after the cache (per audience), so the cache holds exact figures: it lives
in the server's memory or in the operators' cache service, never in a page or a file.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from citemploi.core.context import acting_cite_resolver
from citemploi.core.dbrouter import reads_for_reporting

if TYPE_CHECKING:
    from citemploi.reporting.indicators.base import Indicator, Query, Table

logger = logging.getLogger(__name__)

#: the scope of the global version (cités' ids start at 1)
ALL = 0

#: tables of a cité's own data: a write there, made in a cité's acting context, changes that cité's figures only
CITE_TABLES_PREFIXES = (
    "people_",
    "tracking_",
    "orientations_",
    "pathways_",
    "cohorts_",
    "partnership_",
    "calls_",
    "budget_",
)
#: tables no indicator reads: sessions, accounts, audit, tasks, the secrecy log written while pages are
#: protected, the public directory's empty searches, the questionnaire (an output), these versions
IGNORED_TABLES_PREFIXES = (
    "accounts_",
    "auth_",
    "core_",
    "django_",
    "dsfr_",
    "secrecy_",
    "reporting_",
    "offer_emptysearch",
    "people_retentionrun",
    "people_emergencyaccess",
    "people_erasurerequest",
    "orientations_answerlink",
)
_WRITE = re.compile(
    r"""^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update|delete\s+from)\s+["`]?(\w+)""",
    re.IGNORECASE,
)
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLAC", "WITH ", "COPY ")


def _scope_of(table: str | None) -> int | None:
    """The version a write on `table` bumps: a cité's, ALL, or None (a table no indicator reads)."""
    if table is None:
        return ALL
    table = table.lower()
    if table.startswith(IGNORED_TABLES_PREFIXES):
        return None
    if table.startswith(CITE_TABLES_PREFIXES):
        resolver = acting_cite_resolver.get()
        cite_id = resolver() if resolver is not None else None
        return cite_id if cite_id else ALL
    return ALL


def _pending(connection: Any) -> set[int]:
    pending = getattr(connection, "_citemploi_pending_versions", None)
    if pending is None:
        pending = connection._citemploi_pending_versions = set()
    return pending


def _flush(alias: str) -> None:
    connection = connections[alias]
    pending = _pending(connection)
    if not pending:
        return
    scopes = sorted(pending)
    pending.clear()
    try:
        bump(scopes, using=alias)
    except DatabaseError as error:  # no table yet (during migrations): cached results then expire by time
        logger.debug("data versions not bumped for %s: %s", scopes, error)


def _watch(alias: str) -> Callable[..., Any]:
    def flush() -> None:
        _flush(alias)

    flush.citemploi_data_versions = True  # type: ignore[attr-defined]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not isinstance(sql, str) or sql.lstrip()[:6].upper() not in _WRITE_VERBS:
            return result
        match = _WRITE.match(sql)
        scope = _scope_of(match.group(1) if match else None)
        if scope is None:
            return result
        connection = context["connection"]
        _pending(connection).add(scope)
        if connection.in_atomic_block:
            # one callback per statement: it is attached to the savepoint that wrote (a rolled-back savepoint
            # drops it with its writes); the first to run bumps everything pending, the others find nothing
            transaction.on_commit(flush, using=alias, robust=True)
        else:
            flush()
        return result

    return wrapper


def is_versions_callback(callback: Any) -> bool:
    """Whether an on-commit callback is the data versions' bump (for tests that count their own)."""
    return getattr(callback, "citemploi_data_versions", False)


def install(connection: Any) -> None:
    """Watch a connection's writes (connected to `connection_created`, see ReportingConfig.ready)."""
    if any(getattr(w, "_citemploi_versions", False) for w in connection.execute_wrappers):
        return
    wrapper = _watch(connection.alias)
    wrapper._citemploi_versions = True  # type: ignore[attr-defined]
    connection.execute_wrappers.append(wrapper)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    install(connection)


# --- Versions --------------------------------------------------------------------------------------------


def bump(scopes: Iterable[int], *, using: str = "default") -> None:
    """Add one to each scope's version (ALL for everything), in its own short statements."""
    from django.db.models import F

    from citemploi.reporting.models import DataVersion

    now = timezone.now()
    for scope in scopes:
        manager = DataVersion.objects.using(using)
        if manager.filter(scope=scope).update(version=F("version") + 1, changed_at=now):
            continue
        try:
            with transaction.atomic(using=using):
                manager.create(scope=scope, version=1, epoch=secrets.token_hex(8), changed_at=now)
        except IntegrityError:
            manager.filter(scope=scope).update(version=F("version") + 1, changed_at=now)


def bump_all() -> None:
    """Everything may have changed (bulk loads that bypass Django's cursor)."""
    bump([ALL])


def new_epoch() -> None:
    """A restored database: no result cached before may be reused, whatever the versions say."""
    from citemploi.reporting.models import DataVersion

    for row in DataVersion.objects.all():
        DataVersion.objects.filter(pk=row.pk).update(epoch=secrets.token_hex(8), changed_at=timezone.now())
    bump_all()


@dataclass(frozen=True)
class Stamp:
    """The data versions a computation is valid for (read once per dashboard)."""

    key: str

    @classmethod
    def of(cls, cite_ids: Iterable[int]) -> Stamp:
        from citemploi.reporting.models import DataVersion

        scopes = sorted({ALL, *cite_ids})
        with reads_for_reporting():  # where the figures are read (a replica's lag then only makes them newer)
            found = DataVersion.objects.filter(scope__in=scopes).values_list("scope", "version", "epoch")
            rows = {scope: (version, epoch) for scope, version, epoch in found}
        for scope in scopes:
            if (
                scope not in rows
            ):  # first use of a scope: give it an epoch, so no other database's results match
                row, _ = DataVersion.objects.using("default").get_or_create(
                    scope=scope, defaults={"version": 0, "epoch": secrets.token_hex(8)}
                )
                rows[scope] = (row.version, row.epoch)
        text = ";".join(f"{scope}:{rows[scope][0]}:{rows[scope][1]}" for scope in scopes)
        return cls(hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest())


# --- Cached computations ---------------------------------------------------------------------------------

_code_version: str | None = None


def code_version() -> str:
    """A fingerprint of the code that computes figures: a deployment never reuses the former code's results."""
    global _code_version
    if _code_version is None:
        digest = hashlib.sha1(usedforsecurity=False)
        root = Path(__file__).resolve().parent.parent
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
        _code_version = digest.hexdigest()[:16]
    return _code_version


def _key(indicator: Indicator, query: Query, stamp: Stamp) -> str:
    today = timezone.localdate().isoformat()
    question = "|".join(
        str(part)
        for part in (
            indicator.code,
            ",".join(str(c) for c in sorted(query.cite_ids)),
            query.period.start.isoformat(),
            query.period.end.isoformat(),
            query.period.kind,
            query.cut.value,
            query.qpv_id,
            query.structure_id,
            query.action_id,
            query.cohort_id,
            today,
        )
    )
    digest = hashlib.sha1(f"{question}#{stamp.key}".encode(), usedforsecurity=False).hexdigest()
    return f"citemploi:indicator:{code_version()}:{digest}"


def run(indicator: Indicator, query: Query, stamp: Stamp | None) -> Table:
    """`indicator.run(query)`, or the table computed earlier for the same question on the same data."""
    return run_many([indicator], query, stamp)[0]


def run_many(indicators: Sequence[Indicator], query: Query, stamp: Stamp | None) -> list[Table]:
    """The tables of `indicators` for one question: those computed earlier on the same data from the cache,
    the others computed together (citemploi/reporting/parallel.py) and kept."""
    from citemploi.reporting import parallel

    seconds = settings.INDICATOR_CACHE_SECONDS
    if stamp is None or seconds <= 0:
        return parallel.compute(indicators, query)
    keys = [_key(indicator, query, stamp) for indicator in indicators]
    stored = cache.get_many(keys)
    tables: list[Table | None] = [None] * len(indicators)
    for index, (indicator, key) in enumerate(zip(indicators, keys, strict=True)):
        if key in stored:
            table = stored[key]
            tables[index] = replace(table, indicator=_indicator(indicator, table.indicator))
    missing = [index for index, table in enumerate(tables) if table is None]
    computed = parallel.compute([indicators[index] for index in missing], query)
    for index, table in zip(missing, computed, strict=True):
        tables[index] = table
        try:
            ref = _Ref(table.indicator.code, table.indicator.additive)
            cache.set(keys[index], replace(table, indicator=ref), seconds)  # type: ignore[arg-type]
        except (pickle.PicklingError, TypeError, AttributeError):
            logger.warning(
                "indicator %s not cached: its table cannot be stored", table.indicator.code, exc_info=True
            )
    return tables  # type: ignore[return-value]


@dataclass(frozen=True)
class _Ref:
    """What the cache keeps of a table's indicator (its functions are not stored)."""

    code: str
    additive: bool


def _indicator(indicator: Indicator, ref: Any) -> Indicator:
    if isinstance(ref, _Ref) and ref.additive != indicator.additive:
        return replace(indicator, additive=ref.additive)
    return indicator
