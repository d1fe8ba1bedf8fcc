"""`make stress`: citemploi under concurrent load and under faults, through a real server on loopback.

For one database (STRESS_DB=sqlite, or postgres inside scripts/with-postgres.sh; the Makefile runs both):

1. a fresh database holding the Amiens demo cité (built once per migrations and demo code, then copied or
   restored);
2. gunicorn on 127.0.0.1 (several workers, threads, DEBUG=false);
3. STRESS_USERS (50) simulated users (stress/users.py) — threads with a browser-like web session and an API
   token, acting as the demo's coordinator, référents, partner members and holder — mix reads and writes
   (people created through the form; consents, journal entries, barriers added and moved, outcomes,
   orientations sent and accepted by the receiving structure, through the API; a draft file's budget saved
   through its form) for STRESS_SECONDS (60);
4. stops the server, checks in the database that every acknowledged write holds its last value, and scans
   the server log for 5xx tracebacks and "database is locked";
5. `citemploi backup`;
6. faults: a people import of STRESS_IMPORT_ROWS generated lines killed with SIGKILL while its transaction
   is open, then a committee session's lock (the Copil decision that moves every file) killed with SIGKILL
   inside its transaction; each time the database's integrity check, the all-or-nothing state, then the
   operation redone;
7. `citemploi restore` of the backup: every acknowledged write of the load found again, nothing written
   after the backup, the database consistent.
Writes stress/.work/results-<db>.json and prints a summary; exits 1 when a target is missed.
"""

import csv
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# gunicorn's start and stop, the free port and the browser-like sign-in are make bench's (bench/run.py)
from bench.run import WORK as BENCH_WORK  # noqa: E402
from bench.run import Server, free_port  # noqa: E402
from stress.harness import latest_acks, missing_writes, percentile, server_log_errors  # noqa: E402
from stress.users import Load, user_thread  # noqa: E402

BIN = Path(sys.executable).parent
CITEMPLOI = str(BIN / "citemploi")
WORK = ROOT / "stress" / ".work"
DEMO_PASSWORD = "demo-citemploi-2026"  # citemploi/demo/logins.py: demo data only


def log(message: str) -> None:
    print(f"[stress {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def base_env(database_url: str | None, sqlite_path: Path | None, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CITEMPLOI_VAR_DIR": str(WORK / "var"),
            "DEBUG": "false",
            "CITEMPLOI_TESTING": "false",
            "SECRET_KEY": "stress-only-secret-key-not-for-production-0123456789abcdef",
            # the per-IP limits would turn a load test from one address into a test of the limiter
            "RATELIMIT_ENABLED": "false",
            # gunicorn closes an idle kept-alive connection after 2 s by default: a client that sends its next
            # request on it at that very moment gets a reset, which a browser would silently retry; a longer
            # keep-alive (as behind a reverse proxy) keeps that client-side race out of the error count
            "GUNICORN_CMD_ARGS": "--keep-alive 75",
            "SIGNIN_IP_MAX_FAILURES": "100000",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG_LEVEL": "WARNING",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DJANGO_SETTINGS_MODULE": "citemploi.settings",
            "WHITENOISE_USE_FINDERS": "true",
            "STATIC_MANIFEST": "false",
        }
    )
    env.pop("DATABASE_URL", None)
    env.pop("SQLITE_PATH", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
    return env


def citemploi(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([CITEMPLOI, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"citemploi {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


def django_side(env: dict[str, str], *args: str) -> Any:
    result = subprocess.run(
        [sys.executable, str(ROOT / "stress" / "django_side.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"django_side {args[0]} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def run_load(env: dict[str, str], port: int, info: dict[str, Any]) -> dict[str, Any]:
    users, seconds = setting("STRESS_USERS", 50), setting("STRESS_SECONDS", 60)
    workers, threads = setting("STRESS_WORKERS", 4), setting("STRESS_THREADS", 4)
    server = Server(env, port, workers, threads)
    load = Load()
    try:
        server.wait_ready()
        log(f"{users} utilisateurs simulés pendant {seconds} s ({server.description})")
        accounts = info["accounts"]
        barrier = threading.Barrier(users + 1)
        holder: dict[str, float] = {}

        def deadline() -> float:
            return holder["deadline"]

        threads_ = []
        for i in range(users):
            account = accounts[i % len(accounts)]
            t = threading.Thread(
                target=user_thread,
                args=(load, server.base, account, info, deadline, i, barrier),
                daemon=True,
            )
            t.start()
            threads_.append(t)
        holder["deadline"] = time.monotonic() + 1e9
        barrier.wait()  # everyone signed in: the measured run starts now
        load.samples.clear()
        started = time.monotonic()
        holder["deadline"] = started + seconds
        for t in threads_:
            t.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    log_text = server.log_path.read_text(errors="replace")
    (WORK / "acks.json").write_text(json.dumps([asdict(a) for a in load.acks]), encoding="utf-8")
    missing = check_acks(env)
    return {
        "server": server.description,
        "users": users,
        "accounts": len(info["accounts"]),
        "seconds": round(elapsed, 1),
        "requests": len(load.samples),
        "rps": round(len(load.samples) / elapsed, 1),
        "errors": len(load.errors),
        "error_kinds": _count(load.errors),
        "server_log_errors": server_log_errors(log_text),
        "p50_ms": round(percentile(load.samples, 50), 1),
        "p95_ms": round(percentile(load.samples, 95), 1),
        "max_ms": round(max(load.samples, default=0), 1),
        "error_samples": load.error_samples,
        "server_log_excerpt": _log_excerpt(log_text),
        "by_action": load.by_action,
        "acknowledged_writes": len(load.acks),
        "acknowledged_by_kind": _count([a.kind for a in load.acks]),
        "objects_checked": len(latest_acks(load.acks)),
        "missing_writes": [asdict(a) for a in missing[:20]],
        "missing_count": len(missing),
    }


def check_acks(env: dict[str, str]) -> list[Any]:
    """The acknowledged writes of stress/.work/acks.json the database does not hold (last value per object)."""
    from stress.harness import Ack

    acks = [Ack(**a) for a in json.loads((WORK / "acks.json").read_text(encoding="utf-8"))]
    found = django_side(env, "found", str(WORK / "acks.json"))
    return missing_writes(acks, {k: {int(i): n for i, n in v.items()} for k, v in found.items()})


def _log_excerpt(text: str) -> str:
    """The first lines around the first error of the server log, to read in the results."""
    if not server_log_errors(text):
        return ""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if server_log_errors(line) or "Traceback" in line)
    return "\n".join(lines[first : first + 40])


def _commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip()


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return ""


def _count(items: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


# --- faults ---------------------------------------------------------------------------------------------------


def people_file(path: Path, rows: int, marker: str) -> None:
    """A partner's list with `rows` distinct valid people whose last names start with `marker`."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Nom", "Prénom", "Date de naissance", "Sexe"])
        for n in range(rows):
            born = date(1960, 1, 1) + timedelta(days=n % 15_000)
            writer.writerow([f"{marker}-{n}", "Camille", born.strftime("%d/%m/%Y"), "FMX"[n % 3]])


def _writing(env: dict[str, str]) -> bool:
    """Whether a write transaction is open: on SQLite the write lock is taken (a BEGIN IMMEDIATE that must
    not wait fails); on PostgreSQL a backend inside a transaction has inserted into the people table."""
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state <> 'idle' AND xact_start IS NOT NULL "
                "AND query ILIKE 'INSERT INTO \"people_beneficiary\"%%'"
            ).fetchone()
            return bool(row and row[0])
    probe = sqlite3.connect(env["SQLITE_PATH"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def import_fault(env: dict[str, str], info: dict[str, Any]) -> dict[str, Any]:
    """Kills the import while its transaction is open; retries (new file) when the kill came too late."""
    rows = setting("STRESS_IMPORT_ROWS", 10_000)
    attempts = []
    for attempt in range(3):
        marker = f"Panne{int(time.time())}x{attempt}"
        path = WORK / "import-panne.csv"
        people_file(path, rows, marker)
        command = [
            CITEMPLOI,
            "import_people",
            str(path),
            *(
                "--cite",
                info["cite"],
                "--user",
                info["import_user"],
                "--structure",
                str(info["import_structure"]),
            ),
        ]
        log(f"panne : import de {rows} personnes tué (SIGKILL) pendant sa transaction (essai {attempt + 1})")
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.monotonic()
        killed_at = None
        while proc.poll() is None and time.monotonic() - started < 300:
            if _writing(env):
                time.sleep(random.uniform(0, 0.1) if attempt == 0 else 0)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    killed_at = round(time.monotonic() - started, 2)
                break
            time.sleep(0.01)
        proc.wait()
        after_kill = django_side(env, "imported", marker)["count"]
        integrity = django_side(env, "integrity")
        attempts.append(
            {
                "marker": marker,
                "killed_after_s": killed_at,
                "people_after_kill": after_kill,
                "integrity": integrity,
            }
        )
        if killed_at is not None and after_kill == 0:
            break
    redo = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    after_redo = django_side(env, "imported", marker)["count"]
    last = attempts[-1]
    return {
        "rows": rows,
        "attempts": attempts,
        "killed_inside_transaction": last["killed_after_s"] is not None and last["people_after_kill"] == 0,
        "all_or_nothing": all(a["people_after_kill"] in (0, rows) for a in attempts),
        "integrity_ok": all(a["integrity"]["ok"] for a in attempts),
        "redo_exit_code": redo.returncode,
        "people_after_redo": after_redo,
        "ok": all(a["people_after_kill"] in (0, rows) and a["integrity"]["ok"] for a in attempts)
        and last["people_after_kill"] == 0
        and redo.returncode == 0
        and after_redo == rows,
    }


def committee_fault(env: dict[str, str]) -> dict[str, Any]:
    prepared = django_side(env, "committee-prepare")
    session = str(prepared["session"])
    log(
        f"panne : clôture d'une séance du Copil ({prepared['files']} dossiers) tuée (SIGKILL) dans sa transaction"
    )
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "stress" / "django_side.py"), "committee-lock", session, "--pause"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.stdout is None:
        raise RuntimeError("no pipe to the committee process")
    paused = proc.stdout.readline().strip() == "PAUSED"
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = django_side(env, "committee-state", session)
    integrity = django_side(env, "integrity")
    untouched = (
        not state["locked"] and set(state["statuses"]) == {"proposed"} and not any(state["references"])
    )
    redo = django_side(env, "committee-lock", session)
    redone = django_side(env, "committee-state", session)
    return {
        "files": prepared["files"],
        "killed_inside_transaction": paused,
        "state_after_kill": state,
        "nothing_half_done": untouched,
        "integrity": integrity,
        "redo": redo,
        "state_after_redo": redone,
        "ok": paused
        and untouched
        and integrity["ok"]
        and redone["locked"]
        and set(redone["statuses"]) == {"postponed"},
    }


def backup_round_trip(
    env: dict[str, str], backup: Path, markers: list[str], before: dict[str, Any]
) -> dict[str, Any]:
    """`citemploi restore` of the backup taken right after the load, once the faults have written more: every
    acknowledged write of the load is there again, nothing written after the backup (the imported people)
    is, and the database is consistent. `citemploi restore` itself checks every table's row count against
    the backup's manifest."""
    log("sauvegarde : restauration de la sauvegarde prise après la charge (citemploi restore)")
    started = time.monotonic()
    result = subprocess.run(
        [CITEMPLOI, "restore", str(backup), "--yes"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    restored_s = round(time.monotonic() - started, 1)
    if result.returncode != 0:
        return {"ok": False, "restore_exit_code": result.returncode, "stderr": result.stderr[-2000:]}
    missing = check_acks(env)
    imported_after = {m: django_side(env, "imported", m)["count"] for m in markers}
    integrity = django_side(env, "integrity")
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    return {
        "backup_seconds": before["seconds"],
        "restore_seconds": restored_s,
        "rows": sum(manifest["counts"].values()),
        "tables": len(manifest["counts"]),
        "restore_output": result.stdout.strip()[-500:],
        "missing_after_restore": len(missing),
        "imported_after_restore": imported_after,
        "integrity": integrity,
        "ok": not missing and not any(imported_after.values()) and integrity["ok"],
    }


def take_backup(env: dict[str, str], database: str) -> tuple[Path, dict[str, Any]]:
    backup = WORK / f"backup-{database}"
    if backup.exists():
        shutil.rmtree(backup)
    log("sauvegarde : citemploi backup juste après la charge")
    started = time.monotonic()
    citemploi(env, "backup", str(backup))
    return backup, {"seconds": round(time.monotonic() - started, 1)}


# --- main ------------------------------------------------------------------------------------------------------


def template_key() -> str:
    """What the demo database depends on: the models' migrations and the demo's code. A template built from
    other migrations or another demo is rebuilt."""
    digest = hashlib.sha256()
    paths = sorted(ROOT.glob("citemploi/*/migrations/*.py")) + sorted(ROOT.glob("citemploi/demo/**/*.py"))
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build(env: dict[str, str], database: str) -> None:
    """A fresh database holding the demo cité. The demo is built once per template key (migrations and demo
    code) and kept in stress/.work: SQLite copies the file, PostgreSQL restores it with `citemploi restore`
    (the empty throw-away database of scripts/with-postgres.sh receives it)."""
    key = template_key()
    if database == "sqlite":
        template = WORK / f"template-{key}.sqlite3"
        if not template.exists():
            _drop_templates("template-*.sqlite3*")
            building = WORK / "template-building.sqlite3"
            for leftover in WORK.glob("template-building.sqlite3*"):
                leftover.unlink()
            b_env = dict(env, SQLITE_PATH=str(building))
            log(f"migrations et cité de démonstration (une fois, gardées dans {template.relative_to(ROOT)})")
            citemploi(b_env, "migrate", "--noinput", "-v0")
            citemploi(b_env, "demo")
            _copy_sqlite(building, template)
        log("base SQLite neuve, copiée du modèle")
        _copy_sqlite(template, Path(env["SQLITE_PATH"]))
    else:
        template = WORK / f"template-{key}.postgres"
        if (template / "manifest.json").exists():
            log(
                f"base PostgreSQL neuve, restaurée du modèle {template.relative_to(ROOT)} (citemploi restore)"
            )
            citemploi(env, "restore", str(template), "--yes")
        else:
            _drop_templates("template-*.postgres")
            log("migrations et cité de démonstration sur PostgreSQL (une fois, gardées par citemploi backup)")
            citemploi(env, "migrate", "--noinput", "-v0")
            citemploi(env, "demo")
            citemploi(env, "backup", str(template))
    # a migration added to the working tree since the template was built (the server refuses to be ready)
    citemploi(env, "migrate", "--noinput", "-v0")


def _drop_templates(pattern: str) -> None:
    for old in WORK.glob(pattern):
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()


def _copy_sqlite(source: Path, target: Path) -> None:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main() -> int:
    database = os.environ.get("STRESS_DB", "sqlite")
    if database not in ("sqlite", "postgres") or (
        database == "postgres" and not os.environ.get("DATABASE_URL")
    ):
        raise SystemExit("STRESS_DB=sqlite, or STRESS_DB=postgres with DATABASE_URL (make stress sets it)")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "var").mkdir(exist_ok=True)
    BENCH_WORK.mkdir(parents=True, exist_ok=True)  # the server's log goes there
    port = free_port()
    env = base_env(
        os.environ.get("DATABASE_URL"), None if database == "postgres" else WORK / "stress.sqlite3", port
    )
    started = time.monotonic()
    build(env, database)
    info = django_side(env, "users")
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": database,
        "commit": _commit(),
        "loadavg_before": _loadavg(),
        "load": run_load(env, port, info),
        "loadavg_after_load": _loadavg(),
    }
    backup, backup_info = take_backup(env, database)
    result["import_fault"] = import_fault(env, info)
    result["committee_fault"] = committee_fault(env)
    markers = [a["marker"] for a in result["import_fault"]["attempts"]]
    result["backup_restore"] = backup_round_trip(env, backup, markers, backup_info)
    result["integrity_after_all"] = django_side(env, "integrity")
    result["total_seconds"] = round(time.monotonic() - started, 1)
    load = result["load"]
    result["ok"] = bool(
        load["errors"] == 0
        and not load["server_log_errors"]
        and load["missing_count"] == 0
        and load["acknowledged_writes"] > 0
        and result["import_fault"]["ok"]
        and result["committee_fault"]["ok"]
        and result["backup_restore"]["ok"]
        and result["integrity_after_all"]["ok"]
    )
    out = WORK / f"results-{database}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    log(
        f"{database} : {load['requests']} requêtes en {load['seconds']} s ({load['rps']}/s), {load['errors']} "
        f"erreurs, journal du serveur : {load['server_log_errors'] or 'propre'}, p50 {load['p50_ms']} ms, "
        f"p95 {load['p95_ms']} ms ; {load['acknowledged_writes']} écritures acquittées, "
        f"{load['missing_count']} manquantes"
    )
    log(f"panne pendant l'import : {'OK' if result['import_fault']['ok'] else 'ÉCHEC'}")
    log(f"panne pendant la décision du Copil : {'OK' if result['committee_fault']['ok'] else 'ÉCHEC'}")
    log(f"sauvegarde puis restauration : {'OK' if result['backup_restore']['ok'] else 'ÉCHEC'}")
    log(f"résultat complet : {out.relative_to(ROOT)} — {'OK' if result['ok'] else 'ÉCHEC'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
