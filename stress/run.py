"""`make stress`: citemploi under concurrent load and under faults, through a real server on loopback.

1. builds the Amiens demo cité in a fresh database (SQLite by default; STRESS_DB=postgres runs the whole
   harness inside scripts/with-postgres.sh);
2. starts gunicorn on 127.0.0.1 (several workers, threads, DEBUG=false);
3. STRESS_USERS (50) simulated users — threads with their own HTTP session, signed in like a browser
   (form, CSRF, TOTP second factor for coordinators) as the demo's coordinators and référents — mix reads
   (people list and search, person files, directory search, dashboards, home) and writes (a person created
   through the form with a unique name) for STRESS_SECONDS (60);
4. stops the server, then checks in the database that every acknowledged write is there, and scans the
   server log for 5xx tracebacks and "database is locked";
5. faults: a people import of STRESS_IMPORT_ROWS generated lines killed with SIGKILL while it runs, then a
   committee session's lock (the Copil decision that moves every file) killed with SIGKILL inside its
   transaction; each time the database's integrity check, the all-or-nothing state, then the operation redone.
Writes stress/.work/results-<db>.json and prints a summary; exits 1 when a target is missed.
"""

import csv
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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
from bench.run import sign_in as bench_sign_in  # noqa: E402
from stress.harness import Ack, first_choice, form_defaults, missing_writes, percentile, server_log_errors  # noqa: E402

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


# --- simulated users ---------------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


_SECOND_FACTOR_LOCK = threading.Lock()
_SECOND_FACTOR_SESSIONS: dict[str, Any] = {}


def sign_in(base: str, account: dict[str, Any]) -> Any:
    """A requests session signed in like a browser (form, CSRF, TOTP code): make bench's own sign-in.

    A TOTP code is accepted once (citemploi.accounts refuses a replayed step), so the simulated users sharing
    an account with a second factor sign in once and use it like browser tabs: each gets its own HTTP
    connection with the session cookie of the first sign-in."""
    if account["totp"] is None:
        return bench_sign_in(base, account["email"], None)
    import requests

    with _SECOND_FACTOR_LOCK:
        first = _SECOND_FACTOR_SESSIONS.get(account["email"])
        if first is None:
            first = _SECOND_FACTOR_SESSIONS[account["email"]] = bench_sign_in(
                base, account["email"], account["totp"]
            )
    tab = requests.Session()
    tab.cookies.update(first.cookies)
    return tab


class Load:
    """The shared record of a load run: one latency sample per request, errors, acknowledged writes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.acks: list[Ack] = []
        self.by_action: dict[str, int] = {}

    def request(self, session: Any, action: str, method: str, url: str, **kwargs: Any) -> Any:
        import requests

        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            response, problem = None, f"{action}: {type(exc).__name__}"
        else:
            problem = f"{action}: HTTP {response.status_code}" if response.status_code >= 400 else ""
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.samples.append(elapsed)
            self.by_action[action] = self.by_action.get(action, 0) + 1
            if problem:
                self.errors.append(problem)
        return response


def create_person(
    load: Load,
    session: Any,
    base: str,
    account: dict[str, Any],
    rng: random.Random,
    people: list[int],
    n: int,
) -> None:
    url = f"{base}/personnes/nouvelle/"
    form = load.request(session, "person_form", "GET", url)
    if form is None or form.status_code != 200:
        return
    data = form_defaults(form.text, "")
    tag = f"{account['email'].split('@')[0]}-{threading.get_ident()}-{n}"
    name = f"Charge-{tag}"[:100]
    data.update(
        {
            "last_name": name,
            "first_name": "Test",
            "birth_date": (date(1960, 1, 1) + timedelta(days=rng.randrange(15_000))).isoformat(),
        }
    )
    if "responsible_structure" in data and not data["responsible_structure"]:
        data["responsible_structure"] = first_choice(form.text, "responsible_structure")
    data["csrfmiddlewaretoken"] = _csrf(form.text)
    response = load.request(session, "person_create", "POST", url, data=data, headers={"Referer": url})
    if response is None:
        return
    match = re.search(r"/personnes/(\d+)/$", response.headers.get("Location", ""))
    if response.status_code == 302 and match:
        pk = int(match.group(1))
        people.append(pk)
        with load.lock:
            load.acks.append(Ack("person", pk, name))
    elif response.status_code < 400:
        with load.lock:
            load.errors.append(f"person_create: not created ({response.status_code})")


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
                target=user_thread, args=(load, server.base, account, deadline, i, barrier), daemon=True
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
    found = django_side(env, "found", str(WORK / "acks.json"))
    missing = missing_writes(load.acks, {k: {int(i): n for i, n in v.items()} for k, v in found.items()})
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
        "by_action": load.by_action,
        "acknowledged_writes": len(load.acks),
        "missing_writes": [asdict(a) for a in missing[:20]],
        "missing_count": len(missing),
    }


def user_thread(
    load: Load, base: str, account: dict[str, Any], deadline: Callable[[], float], seed: int, barrier: Any
) -> None:
    """Signs in, waits for every other user, then works until the deadline (known only at that point)."""
    rng = random.Random(seed)
    try:
        session = sign_in(base, account)
    except Exception as exc:  # a failed sign-in is an error of the run, not a crash of the harness
        with load.lock:
            load.errors.append(f"sign-in: {str(exc)[:120]}")
        barrier.wait()
        return
    barrier.wait()
    _work(load, session, base, account, rng, deadline)


def _work(
    load: Load,
    session: Any,
    base: str,
    account: dict[str, Any],
    rng: random.Random,
    deadline: Callable[[], float],
) -> None:
    people: list[int] = []
    reads = [
        ("people_list", "/personnes/"),
        ("people_search", "/personnes/?q=ma"),
        ("home", "/"),
        ("directory_search", "/services/resultats/?q=emploi"),
    ]
    if account["totp"] is not None:
        reads.append(("cite_dashboard", "/indicateurs/"))
    n = 0
    while time.monotonic() < deadline():
        n += 1
        roll = rng.random()
        if roll < 0.2:
            create_person(load, session, base, account, rng, people, n)
        elif roll < 0.4 and people:
            load.request(session, "person_file", "GET", f"{base}/personnes/{rng.choice(people)}/")
        else:
            action, path = rng.choice(reads)
            load.request(session, action, "GET", base + path)


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
    rows = setting("STRESS_IMPORT_ROWS", 30_000)
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
            {"killed_after_s": killed_at, "people_after_kill": after_kill, "integrity": integrity}
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


# --- main ------------------------------------------------------------------------------------------------------


def build(env: dict[str, str], database: str) -> None:
    if database == "sqlite":
        template = WORK / "template.sqlite3"
        if not template.exists():
            building = WORK / "template-building.sqlite3"
            for leftover in WORK.glob("template-building.sqlite3*"):
                leftover.unlink()
            b_env = dict(env, SQLITE_PATH=str(building))
            log("migrations et cité de démonstration (une fois, gardées dans stress/.work/template.sqlite3)")
            citemploi(b_env, "migrate", "--noinput", "-v0")
            citemploi(b_env, "demo")
            _copy_sqlite(building, template)
        log("base SQLite neuve, copiée du modèle")
        _copy_sqlite(template, Path(env["SQLITE_PATH"]))
    else:
        log("migrations et cité de démonstration sur PostgreSQL")
        citemploi(env, "migrate", "--noinput", "-v0")
        citemploi(env, "demo")


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
        "load": run_load(env, port, info),
        "import_fault": import_fault(env, info),
        "committee_fault": committee_fault(env),
    }
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
    log(f"résultat complet : {out.relative_to(ROOT)} — {'OK' if result['ok'] else 'ÉCHEC'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
