"""The indicators of `citemploi indicators`, recomputed by DuckDB over the same data, checked and timed.

Run inside the benchmark's database (DJANGO_SETTINGS_MODULE=citemploi.settings, SQLITE_PATH or DATABASE_URL),
after the bench wrote the JSON output of `citemploi indicators` for one cité and for every cité:

    python bench/duckdb_compare.py bench/.work/indicators.json bench/.work/national_indicators.json

1. Load: the columns the indicators read are copied from the Django database (SQLite or PostgreSQL, through
   its DB-API cursor, in batches) to CSV files, then into an in-memory DuckDB database with typed columns
   (DuckDB's sqlite and postgres extensions are not used: they are downloaded on first use, and the
   benchmark machine has no access to extensions.duckdb.org). The load is timed on its own and is not part of
   the comparison.
2. Check: for each JSON document (its scope — one cité or « * » for all — and its period are read from it),
   the SQL of `QUERIES` recomputes the compared indicators with the registry's definitions
   (citemploi/reporting/indicators/*.py) and every figure is compared with the JSON one; a difference is a
   mismatch in the results, never hidden.
3. Time, warm, in this process: the same indicators computed by citemploi (each compared indicator of the
   registry, Django ORM over the Django database) and by DuckDB (the SQL below), median of BENCH_DUCKDB_REPEAT
   runs after one warm-up run, with each indicator's and each query's own median to see where the time
   goes; the ratio is citemploi over DuckDB (issue #7: within 5×).

It prints the results as JSON on stdout.
"""

import csv
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402

#: the tables DuckDB needs: DuckDB name → (Django model, the fields the indicators read)
TABLES: dict[str, tuple[str, list[str]]] = {
    "cite": ("territory.Cite", ["id"]),
    "structure": ("partners.Structure", ["id", "kind", "sensitive"]),
    "service": ("offer.Service", ["id", "nature"]),
    "beneficiary": (
        "people.Beneficiary",
        [
            "id",
            "cite",
            "qpv",
            "responsible_structure",
            "gender",
            "birth_date",
            "identified_on",
            "reperage_channel",
            "invisible_at_identification",
        ],
    ),
    "followup_member": ("people.FollowUpMember", ["id", "beneficiary", "structure", "added_at"]),
    "journal_entry": ("tracking.JournalEntry", ["beneficiary", "occurred_on"]),
    "outcome": ("tracking.Outcome", ["id", "beneficiary", "type", "outcome_on"]),
    "followup_check": (
        "tracking.FollowUpCheck",
        ["id", "outcome", "months", "due_on", "recorded_on", "still_in_job_or_training"],
    ),
    "cohort_member": ("cohorts.CohortMember", ["id", "beneficiary", "integrated_on", "exited_on"]),
    "orientation": (
        "orientations.Orientation",
        [
            "id",
            "cite",
            "beneficiary",
            "service",
            "receiving_structure",
            "status",
            "refusal_reason",
            "sent_at",
            "answered_at",
            "started_at",
        ],
    ),
    "barrier_record": ("pathways.BarrierRecord", ["id", "cite", "beneficiary", "barrier", "identified_on"]),
    "barrier_transition": ("pathways.BarrierTransition", ["id", "record", "to_state", "at"]),
    "event": (
        "partnership.Event",
        [
            "id",
            "cite",
            "kind",
            "date",
            "counted_total",
            "counted_young",
            "counted_women",
            "counted_seniors",
            "counted_qpv",
            "hours_delivered",
            "coordination_hours",
            "found_count",
            "hooked_count",
            "employed_count",
        ],
    ),
    "participation": ("partnership.Participation", ["id", "event", "is_woman", "age_band", "qpv_resident"]),
}

#: how NULL is written in the CSV files (an empty field would be an empty string)
NULL = r"\N"
BATCH = 50_000


def _duckdb_type(field: Any) -> str:
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "EmailField"):
        return "VARCHAR"
    if kind == "DateField":
        return "DATE"
    if kind == "DateTimeField":
        return "TIMESTAMPTZ"
    if kind == "BooleanField":
        return "BOOLEAN"
    if kind == "DecimalField":
        return f"DECIMAL({field.max_digits}, {field.decimal_places})"
    if kind.endswith("IntegerField") or kind.endswith("AutoField") or kind in ("ForeignKey", "OneToOneField"):
        return "BIGINT"
    raise ValueError(f"{field}: no DuckDB type for {kind}")


def _csv_value(value: Any) -> Any:
    if value is None:
        return NULL
    if value is True or value is False:
        return "true" if value else "false"
    return value


def load(con: Any, folder: Path) -> dict[str, int]:
    """Copies TABLES from the Django database into DuckDB through CSV files; the number of rows per table."""
    from django.apps import apps
    from django.db import connection

    counts = {}
    for name, (label, field_names) in TABLES.items():
        model = apps.get_model(label)
        fields = [model._meta.get_field(f) for f in field_names]
        columns = [f.column for f in fields]
        quote = connection.ops.quote_name
        sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)}"
        path = folder / f"{name}.csv"
        rows = 0
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            # a server-side cursor on PostgreSQL: millions of journal entries are not held in memory
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql)
                while batch := cursor.fetchmany(BATCH):
                    writer.writerows([_csv_value(v) for v in row] for row in batch)
                    rows += len(batch)
        definition = ", ".join(f'"{c}" {_duckdb_type(f)}' for c, f in zip(columns, fields, strict=True))
        con.execute(f"CREATE OR REPLACE TABLE {name} ({definition})")
        if rows:
            con.execute(
                f"COPY {name} FROM '{path}' (FORMAT csv, AUTO_DETECT false, HEADER false, DELIM ',', "
                f"QUOTE '\"', ESCAPE '\"', NULLSTR '{NULL}', ALLOW_QUOTED_NULLS false)"
            )
        counts[name] = rows
    return counts


def connect() -> Any:
    """An in-memory DuckDB database in the project's time zone (the dates of the indicators are Paris dates)."""
    import duckdb
    from django.conf import settings

    con = duckdb.connect()
    # Naive timestamps from SQLite are UTC (Django's storage); PostgreSQL's carry their offset.
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE MACRO local_day(ts) AS CAST(timezone('{settings.TIME_ZONE}', ts) AS DATE)")
    return con


# --- the indicators in DuckDB SQL -------------------------------------------------------------------------
# Each query reads the cités of the scope from the table `scope` and the period from $start and $end, and
# returns (indicator code, category, value) rows; a category absent is 0, as in the registry's tables.


def _sql_list(values: Any) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in sorted(values))


def _queries() -> dict[str, str]:
    from citemploi.offer.enums import ServiceNature
    from citemploi.orientations.enums import Status
    from citemploi.partners.enums import SPE_KINDS
    from citemploi.pathways.enums import BarrierState

    refused, lifted = Status.REFUSED.value, BarrierState.LIFTED.value
    return {
        # people.py: identified in the period by repérage channel; invisible = hors radar at identification
        "people": """
            SELECT 'people.identified', reperage_channel, count(DISTINCT id)
            FROM beneficiary
            WHERE cite_id IN (SELECT id FROM scope) AND identified_on BETWEEN $start AND $end
            GROUP BY reperage_channel
            UNION ALL
            SELECT 'people.invisible_reached', reperage_channel, count(DISTINCT id)
            FROM beneficiary
            WHERE cite_id IN (SELECT id FROM scope) AND identified_on BETWEEN $start AND $end
              AND invisible_at_identification
            GROUP BY reperage_channel
        """,
        # people.py: accompanied = identified by the end, and never exited (last outcome or last cohort exit
        # before the start) or active after that exit; hooked = accompanied with, in the period, a droit-commun
        # orientation answered and not refused or started, or a public employment service joining the group
        "accompanied": f"""
            WITH p AS (
                SELECT b.id,
                       greatest(coalesce(lo.d, DATE '1900-01-01'), coalesce(lc.d, DATE '1900-01-01'))
                           AS last_exit
                FROM beneficiary b
                LEFT JOIN (SELECT beneficiary_id, max(outcome_on) AS d FROM outcome
                           WHERE outcome_on < $start GROUP BY beneficiary_id) lo ON lo.beneficiary_id = b.id
                LEFT JOIN (SELECT beneficiary_id, max(exited_on) AS d FROM cohort_member
                           WHERE exited_on < $start GROUP BY beneficiary_id) lc ON lc.beneficiary_id = b.id
                WHERE b.cite_id IN (SELECT id FROM scope) AND b.identified_on <= $end
            ),
            accompanied AS (
                SELECT id FROM p
                WHERE last_exit = DATE '1900-01-01'
                   OR EXISTS (SELECT 1 FROM journal_entry j WHERE j.beneficiary_id = p.id
                              AND j.occurred_on > p.last_exit AND j.occurred_on <= $end)
                   OR EXISTS (SELECT 1 FROM cohort_member c WHERE c.beneficiary_id = p.id
                              AND c.integrated_on > p.last_exit AND c.integrated_on <= $end)
                   OR EXISTS (SELECT 1 FROM cohort_member c WHERE c.beneficiary_id = p.id
                              AND c.integrated_on <= $end AND (c.exited_on IS NULL OR c.exited_on >= $start))
                   OR EXISTS (SELECT 1 FROM orientation o WHERE o.beneficiary_id = p.id
                              AND local_day(o.sent_at) > p.last_exit AND local_day(o.sent_at) <= $end)
            ),
            hooked AS (
                SELECT id FROM accompanied a
                WHERE EXISTS (
                        SELECT 1 FROM orientation o JOIN service s ON s.id = o.service_id
                        WHERE o.beneficiary_id = a.id AND s.nature = '{ServiceNature.DROIT_COMMUN.value}'
                          AND ((local_day(o.answered_at) BETWEEN $start AND $end AND o.status <> '{refused}')
                               OR local_day(o.started_at) BETWEEN $start AND $end))
                   OR EXISTS (
                        SELECT 1 FROM followup_member f JOIN structure st ON st.id = f.structure_id
                        WHERE f.beneficiary_id = a.id AND st.kind IN ({_sql_list(SPE_KINDS)})
                          AND local_day(f.added_at) BETWEEN $start AND $end)
            )
            SELECT 'people.accompanied_hooked', 'accompanied', count(*) FROM accompanied
            UNION ALL
            SELECT 'people.accompanied_hooked', 'hooked', count(*) FROM hooked
        """,
        # orientations.py: sent in the period (Paris date of sending) and what became of them today
        "orientations": f"""
            WITH sent AS (
                SELECT * FROM orientation
                WHERE cite_id IN (SELECT id FROM scope) AND local_day(sent_at) BETWEEN $start AND $end
            ),
            counts AS (
                SELECT count(*) AS sent,
                       count(*) FILTER (answered_at IS NOT NULL AND status <> '{refused}') AS accepted,
                       count(*) FILTER (status = '{refused}') AS refused,
                       count(*) FILTER (status = '{Status.EXPIRED.value}') AS expired,
                       count(*) FILTER (status = '{Status.WITHDRAWN.value}') AS withdrawn,
                       count(*) FILTER (started_at IS NOT NULL) AS started,
                       count(*) FILTER (status = '{Status.COMPLETED.value}') AS completed
                FROM sent
            ),
            durations AS (
                SELECT 'answer' AS delay, greatest(epoch_us(answered_at) - epoch_us(sent_at), 0) / 1e6 / 86400
                    AS days FROM sent WHERE answered_at IS NOT NULL
                UNION ALL
                SELECT 'start', greatest(epoch_us(started_at) - epoch_us(sent_at), 0) / 1e6 / 86400
                FROM sent WHERE started_at IS NOT NULL
            ),
            ranked AS (
                SELECT delay, days, row_number() OVER (PARTITION BY delay ORDER BY days) AS rank,
                       count(*) OVER (PARTITION BY delay) AS n
                FROM durations
            )
            SELECT 'orientations.outcomes', UNNEST(['sent', 'accepted', 'refused', 'expired', 'withdrawn',
                                                   'started', 'completed']),
                   UNNEST([sent, accepted, refused, expired, withdrawn, started, completed])::DOUBLE
            FROM counts
            UNION ALL
            SELECT 'orientations.refusal_reasons', coalesce(refusal_reason, ''), count(*)
            FROM sent WHERE status = '{refused}' GROUP BY refusal_reason
            UNION ALL
            SELECT 'orientations.delays', delay || '_median', median(days) FROM ranked GROUP BY delay
            UNION ALL
            SELECT 'orientations.delays', delay || '_p90', max(days) FILTER (rank = greatest(1, ceil(0.9 * n)))
            FROM ranked GROUP BY delay
        """,
        # outcomes.py: people with an outcome in the period, once per type and once in the total; checks of
        # 3, 6, 12 months due in the period: recorded, retained (still in job or training), pending
        "outcomes": """
            WITH o AS (
                SELECT o.* FROM outcome o JOIN beneficiary b ON b.id = o.beneficiary_id
                WHERE b.cite_id IN (SELECT id FROM scope) AND o.outcome_on BETWEEN $start AND $end
            ),
            checks AS (
                SELECT c.months,
                       count(*) FILTER (c.recorded_on IS NOT NULL) AS recorded,
                       count(*) FILTER (c.recorded_on IS NOT NULL AND c.still_in_job_or_training) AS retained,
                       count(*) FILTER (c.recorded_on IS NULL) AS pending
                FROM followup_check c
                JOIN outcome o ON o.id = c.outcome_id
                JOIN beneficiary b ON b.id = o.beneficiary_id
                WHERE b.cite_id IN (SELECT id FROM scope) AND c.due_on BETWEEN $start AND $end
                GROUP BY c.months
            )
            SELECT 'outcomes.by_type', CASE WHEN grouping(type) = 1 THEN 'total' ELSE type END,
                   count(DISTINCT beneficiary_id)
            FROM o GROUP BY GROUPING SETS ((type), ())
            UNION ALL
            SELECT 'outcomes.retention_checks', months || '_' || UNNEST(['recorded', 'retained', 'pending']),
                   UNNEST([recorded, retained, pending])::DOUBLE
            FROM checks
            UNION ALL
            SELECT 'outcomes.retention_rate', months::VARCHAR, retained * 100 / recorded
            FROM checks WHERE recorded > 0
        """,
        # barriers.py: records identified by the end; open = identified in the period or not lifted at the
        # start (state of the last transition before the start); lifted = open and moved to lifted in the period
        "barriers": f"""
            WITH state_at_start AS (
                SELECT record_id, to_state FROM barrier_transition
                WHERE local_day("at") < $start
                QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY "at" DESC, id DESC) = 1
            ),
            lifted_in_period AS (
                SELECT DISTINCT record_id FROM barrier_transition
                WHERE to_state = '{lifted}' AND local_day("at") BETWEEN $start AND $end
            ),
            records AS (
                SELECT r.barrier, r.identified_on >= $start AS identified_now,
                       (r.identified_on >= $start OR s.to_state IS NULL OR s.to_state <> '{lifted}') AS open_now,
                       l.record_id IS NOT NULL AS lifted_now
                FROM barrier_record r
                LEFT JOIN state_at_start s ON s.record_id = r.id
                LEFT JOIN lifted_in_period l ON l.record_id = r.id
                WHERE r.cite_id IN (SELECT id FROM scope) AND r.identified_on <= $end
            ),
            counts AS (
                SELECT barrier,
                       count(*) FILTER (identified_now) AS identified,
                       count(*) FILTER (open_now) AS open_count,
                       count(*) FILTER (open_now AND lifted_now) AS lifted
                FROM records GROUP BY barrier
            )
            SELECT 'barriers.identified', barrier, identified FROM counts
            UNION ALL SELECT 'barriers.open', barrier, open_count FROM counts
            UNION ALL SELECT 'barriers.lifted', barrier, lifted FROM counts
            UNION ALL SELECT 'barriers.lift_rate', barrier, lifted * 100 / open_count FROM counts WHERE open_count > 0
        """,
        # events.py: events dated in the period; participants = counted without a name + named participations
        "events": """
            WITH e AS (
                SELECT * FROM event WHERE cite_id IN (SELECT id FROM scope) AND "date" BETWEEN $start AND $end
            ),
            counted AS (
                SELECT kind, grouping(kind) AS all_kinds, count(*) AS events,
                       sum(counted_total) AS total, sum(counted_young) AS young, sum(counted_women) AS women,
                       sum(counted_seniors) AS seniors, sum(counted_qpv) AS qpv,
                       sum(hours_delivered) AS delivered, sum(coordination_hours) AS coordination,
                       sum(found_count) AS found, sum(hooked_count) AS hooked, sum(employed_count) AS employed
                FROM e GROUP BY GROUPING SETS ((kind), ())
            ),
            named AS (
                SELECT e.kind, grouping(e.kind) AS all_kinds, count(*) AS total,
                       count(*) FILTER (p.age_band = 'jeunes') AS young,
                       count(*) FILTER (p.is_woman) AS women,
                       count(*) FILTER (p.age_band = 'seniors') AS seniors,
                       count(*) FILTER (p.qpv_resident) AS qpv
                FROM participation p JOIN e ON e.id = p.event_id
                GROUP BY GROUPING SETS ((e.kind), ())
            ),
            figures AS (
                SELECT c.*, coalesce(n.total, 0) AS named_total, coalesce(n.young, 0) AS named_young,
                       coalesce(n.women, 0) AS named_women, coalesce(n.seniors, 0) AS named_seniors,
                       coalesce(n.qpv, 0) AS named_qpv
                FROM counted c
                LEFT JOIN named n ON n.all_kinds = c.all_kinds AND n.kind IS NOT DISTINCT FROM c.kind
            )
            SELECT 'events.count', kind, events FROM figures WHERE all_kinds = 0
            UNION ALL
            SELECT 'events.participants', kind, total + named_total FROM figures WHERE all_kinds = 0
            UNION ALL
            SELECT 'events.participants_profile', UNNEST(['young', 'women', 'seniors', 'qpv']),
                   UNNEST([young + named_young, women + named_women, seniors + named_seniors,
                           qpv + named_qpv])::DOUBLE
            FROM figures WHERE all_kinds = 1 AND events > 0
            UNION ALL
            SELECT 'events.hours', UNNEST(['delivered', 'coordination']),
                   UNNEST([delivered, coordination])::DOUBLE
            FROM figures WHERE all_kinds = 1 AND events > 0
            UNION ALL
            SELECT 'events.results', UNNEST(['found', 'hooked', 'employed']),
                   UNNEST([found, hooked, employed])::DOUBLE
            FROM figures WHERE all_kinds = 1 AND events > 0
        """,
    }


#: the indicators recomputed in DuckDB (the others — cohorts, calls, offer — are not compared)
COMPARED = [
    "people.identified",
    "people.invisible_reached",
    "people.accompanied_hooked",
    "orientations.outcomes",
    "orientations.refusal_reasons",
    "orientations.delays",
    "outcomes.by_type",
    "outcomes.retention_checks",
    "outcomes.retention_rate",
    "barriers.identified",
    "barriers.open",
    "barriers.lifted",
    "barriers.lift_rate",
    "events.count",
    "events.participants",
    "events.participants_profile",
    "events.hours",
    "events.results",
]

#: figures the registry rounds to one decimal (rates in %, delays in days)
ROUNDED = {"orientations.delays", "outcomes.retention_rate", "barriers.lift_rate"}


def _set_scope(con: Any, cite_ids: tuple[int, ...]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE scope (id BIGINT)")
    con.executemany("INSERT INTO scope VALUES (?)", [(i,) for i in cite_ids])


def _collect(figures: dict[str, dict[str, float]], rows: list[tuple[Any, ...]]) -> None:
    for code, category, value in rows:
        if value is None:
            continue
        number = float(value)
        key = "" if category is None else str(category)  # the registry's key for « not recorded »
        if code in ROUNDED:
            # the registry's own rounding of rates and delays (Python's round, to one decimal)
            figures[code][key] = round(number, 1)
        else:  # NULL and '' are both « not recorded »: added together, as the registry does
            figures[code][key] = figures[code].get(key, 0.0) + number


def duckdb_figures(
    con: Any, cite_ids: tuple[int, ...], start: date, end: date
) -> dict[str, dict[str, float]]:
    """Every compared figure per indicator code and category, computed by DuckDB for the scope and period."""
    _set_scope(con, cite_ids)
    figures: dict[str, dict[str, float]] = {code: {} for code in COMPARED}
    for sql in _queries().values():
        _collect(figures, con.execute(sql, {"start": start, "end": end}).fetchall())
    return figures


def json_figures(document: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The figures of the compared indicators in the output of `citemploi indicators --format json`."""
    out: dict[str, dict[str, float]] = {}
    for indicator in document["indicators"]:
        if indicator["code"] in COMPARED:
            out[indicator["code"]] = {
                row["key"]: float(row["values"].get("all") or 0) for row in indicator["rows"]
            }
    return out


def compare(
    expected: dict[str, dict[str, float]], actual: dict[str, dict[str, float]]
) -> tuple[int, list[dict[str, Any]]]:
    """How many figures were compared, and each difference (citemploi's JSON against DuckDB)."""
    compared, mismatches = 0, []  # type: tuple[int, list[dict[str, Any]]]
    for code in COMPARED:
        if code not in expected:
            mismatches.append(
                {"indicator": code, "category": "", "citemploi": "absent du JSON", "duckdb": None}
            )
            continue
        mine, theirs = actual.get(code, {}), expected[code]
        for category in sorted(set(mine) | set(theirs)):
            compared += 1
            a, b = theirs.get(category, 0.0), mine.get(category, 0.0)
            if abs(a - b) > 1e-9:
                mismatches.append({"indicator": code, "category": category, "citemploi": a, "duckdb": b})
    return compared, mismatches


def _timed(parts: dict[str, Callable[[], Any]], repeat: int) -> tuple[float, dict[str, float]]:
    """Runs every part once (warm-up: the caches of DuckDB and of the database), then `repeat` times:
    the median of the totals, and the median of each part."""
    for part in parts.values():
        part()
    totals: list[float] = []
    each: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(repeat):
        total = 0.0
        for name, part in parts.items():
            started = time.perf_counter()
            part()
            took = time.perf_counter() - started
            each[name].append(took)
            total += took
        totals.append(total)
    return statistics.median(totals), {name: round(statistics.median(v), 4) for name, v in each.items()}


def scope_of(document: dict[str, Any]) -> tuple[tuple[int, ...], date, date]:
    """The cités (« * » = all) and the period of a JSON document of `citemploi indicators`."""
    from citemploi.territory.models import Cite

    if document["cite"] == "*":
        cite_ids = tuple(Cite.objects.order_by("pk").values_list("pk", flat=True))
    else:
        cite_ids = (Cite.objects.get(slug=document["cite"]).pk,)
    return cite_ids, date.fromisoformat(document["from"]), date.fromisoformat(document["to"])


def check(con: Any, document: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Compares one JSON document with DuckDB, then times both sides on the compared indicators."""
    from citemploi.reporting.indicators import REGISTRY, Period, Query

    cite_ids, start, end = scope_of(document)
    compared, mismatches = compare(json_figures(document), duckdb_figures(con, cite_ids, start, end))
    result: dict[str, Any] = {
        "scope": document["cite"],
        "cites": len(cite_ids),
        "from": start.isoformat(),
        "to": end.isoformat(),
        "figures_compared": compared,
        "mismatches": mismatches,
    }
    if repeat > 0:
        from citemploi.reporting import parallel

        query = Query(cite_ids, Period(start, end))
        # as the product computes them (dashboards, exports, `citemploi indicators`): together, on
        # INDICATOR_WORKERS connections (citemploi/reporting/parallel.py), like DuckDB on its own threads
        indicators = [REGISTRY[code] for code in COMPARED]
        citemploi_s, _ = _timed({"all": partial(parallel.compute, indicators, query)}, repeat)
        # and one after the other, to see where the time goes
        sequential_s, by_indicator = _timed(
            {code: partial(REGISTRY[code].run, query) for code in COMPARED}, repeat
        )
        _set_scope(con, cite_ids)
        figures: dict[str, dict[str, float]] = {code: {} for code in COMPARED}
        params = {"start": start, "end": end}
        duckdb_s, by_query = _timed(
            {
                name: partial(lambda sql: _collect(figures, con.execute(sql, params).fetchall()), sql)
                for name, sql in _queries().items()
            },
            repeat,
        )
        ratio = citemploi_s / duckdb_s if duckdb_s > 0 else None
        result |= {
            "citemploi_seconds": round(citemploi_s, 4),
            "citemploi_sequential_seconds": round(sequential_s, 4),
            "workers": parallel.workers_for(len(indicators)),
            "duckdb_seconds": round(duckdb_s, 4),
            "ratio": None if ratio is None else round(ratio, 1),
            "ok": ratio is not None and ratio <= report.DUCKDB_RATIO_TARGET and not mismatches,
            "citemploi_by_indicator": by_indicator,
            "duckdb_by_query": by_query,
        }
    return result


def run(documents: dict[str, dict[str, Any]], repeat: int = 3) -> dict[str, Any]:
    """Loads the Django database into DuckDB, then checks and times each named JSON document."""
    con = connect()
    with tempfile.TemporaryDirectory(prefix="citemploi-duckdb-") as folder:
        started = time.perf_counter()
        rows = load(con, Path(folder))
        load_seconds = time.perf_counter() - started
    import duckdb

    scopes = {name: check(con, document, repeat) for name, document in documents.items()}
    return {
        "duckdb_version": duckdb.__version__,
        "load_seconds": round(load_seconds, 2),
        "rows_loaded": rows,
        "indicators": COMPARED,
        "repeat": repeat,
        "ratio_target": report.DUCKDB_RATIO_TARGET,
        "scopes": scopes,
        "mismatches": sum(len(s["mismatches"]) for s in scopes.values()),
    }


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citemploi.settings")
    django.setup()
    names = ["indicators", "national_indicators"]
    paths = [Path(p) for p in sys.argv[1:]]
    documents = {
        names[i] if i < len(names) else path.stem: json.loads(path.read_text(encoding="utf-8"))
        for i, path in enumerate(paths)
    }
    repeat = int(os.environ.get("BENCH_DUCKDB_REPEAT", "3"))
    print(json.dumps(run(documents, repeat), ensure_ascii=False))


if __name__ == "__main__":
    main()
