"""`make bench`: citemploi measured through a real HTTP server (gunicorn, several workers) on loopback.

For each database (BENCH_DB = sqlite, postgres or both — the default) and each data size of the scale
(BENCH_SCALE = small — the default, minutes — or reference, the issue's scale), it:
1. builds a data set with `citemploi demo` (the Amiens demo cité for cohorts, calls and the directory,
   then `demo --cites N --people M`) in a fresh database;
2. on the largest size only, times the import of a generated people file and of a data·inclusion file
   (wall time and peak memory of the command), the cité's indicators for one year and the national ones,
   and the same indicators recomputed by DuckDB over the same data (bench/duckdb_compare.py);
3. starts gunicorn (DEBUG=false, static files by whitenoise), signs users in over HTTP (CSRF, session,
   TOTP second factor computed from the secret read through the ORM), warms up, then measures p50/p95
   of each page with sequential requests, the framework floor, and the throughput of 50 concurrent clients.
It writes bench/results.json and bench/results.md (see bench/report.py for the targets).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.generate import people_csv, services_folder  # noqa: E402

BIN = Path(sys.executable).parent
CITEMPLOI = str(BIN / "citemploi")
WORK = ROOT / "bench" / ".work"
DEMO_PASSWORD = "demo-citemploi-2026"  # citemploi/demo/logins.py: demo data only

SCALES: dict[str, dict[str, Any]] = {
    # minutes on a 2-core machine: two sizes (1× and 10×) to see how each page's cost grows
    "small": {
        "cites": 2,
        "people": [4_000, 40_000],
        "requests": 30,
        "warmup": 5,
        "clients": 50,
        "seconds": 10,
        "after_change": 5,
        "import_rows": 100_000,
        "services": 50_000,
    },
    # the reference scale (100 cités, 500,000 people) with 1× and 10× below it: hours, not run by default
    "reference": {
        "cites": 100,
        "people": [5_000, 50_000, 500_000],
        "requests": 100,
        "warmup": 10,
        "clients": 50,
        "seconds": 30,
        "after_change": 5,
        "import_rows": 100_000,
        "services": 50_000,
    },
}


def scale_from_env(name: str) -> dict[str, Any]:
    """The named scale with the BENCH_* overrides (BENCH_PEOPLE="4000,40000", BENCH_REQUESTS=…)."""
    scale = dict(SCALES[name])
    if os.environ.get("BENCH_PEOPLE"):
        scale["people"] = [int(v) for v in os.environ["BENCH_PEOPLE"].split(",")]
    for key in ("cites", "requests", "warmup", "clients", "seconds", "import_rows", "services"):
        value = os.environ.get(f"BENCH_{key.upper()}")
        if value:
            scale[key] = int(value)
    return scale


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(database_url: str | None, sqlite_path: Path | None, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CITEMPLOI_VAR_DIR": str(WORK / "var"),
            "DEBUG": "false",
            "CITEMPLOI_TESTING": "false",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
            "CITEMPLOI_BENCH": "true",
            # The directory's per-IP search limit would turn the load test into a test of the limiter.
            "RATELIMIT_ENABLED": "false",
            "SIGNIN_IP_MAX_FAILURES": "1000",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG_LEVEL": "WARNING",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DJANGO_SETTINGS_MODULE": "citemploi.settings",
        }
    )
    env.pop("DATABASE_URL", None)
    env.pop("SQLITE_PATH", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
    return env


def run_timed(args: list[str], env: dict[str, str], stdout_path: Path | None = None) -> dict[str, Any]:
    """Runs a command; returns its wall time and the peak resident memory of that process (wait4).

    A `citemploi` command runs through bench/timed_command.py, which also reports the time of the command
    alone (`command_seconds`, without the start of Python and Django).
    """
    timing_file = WORK / "timing.txt"
    timing_file.unlink(missing_ok=True)
    if args[0] == CITEMPLOI:
        args = [sys.executable, str(ROOT / "bench" / "timed_command.py"), *args[1:]]
        env = env | {"BENCH_TIMING_FILE": str(timing_file)}
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if stdout_path:
        out.close()  # type: ignore[union-attr]
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    timing = {
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        # the process and the children it waited for (not a database server's own processes)
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
    }
    if timing_file.exists():
        timing["command_seconds"] = round(float(timing_file.read_text()), 2)
    return timing


def citemploi(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([CITEMPLOI, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"citemploi {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


# --- data ---------------------------------------------------------------------------------------------


def sqlite_template(env_for: Callable[[Path], dict[str, str]]) -> Path:
    """A migrated SQLite file with the Amiens demo cité, built once and copied for each data size."""
    template = WORK / "template.sqlite3"
    if not template.exists():
        building = WORK / "template-building.sqlite3"
        for leftover in WORK.glob("template-building.sqlite3*"):
            leftover.unlink()
        env = env_for(building)
        log("migrations et cité de démonstration (une fois)")
        citemploi(env, "migrate", "--noinput", "-v0")
        citemploi(env, "demo")
        copy_sqlite(building, template)
    return template


def copy_sqlite(source: Path, target: Path) -> None:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


ANALYZE = (
    "from django.db import connection\nwith connection.cursor() as cursor:\n    cursor.execute('ANALYZE')"
)


def build_dataset(env: dict[str, str], cites: int, people: int, fresh_schema: bool) -> dict[str, Any]:
    if fresh_schema:
        citemploi(env, "migrate", "--noinput", "-v0")
        citemploi(env, "demo")
    log(f"jeu de données : {cites} cités, {people} personnes")
    timing = run_timed(
        [CITEMPLOI, "demo", "--cites", str(cites), "--people", str(people)],
        env,
        stdout_path=WORK / "demo.out",
    )
    # The query planner's statistics, as a database in service has them (PostgreSQL's autovacuum gathers
    # them; SQLite only on ANALYZE): without them, SQLite guesses ten rows per value of any index and reads a
    # whole cité through the index on the cité rather than a structure's people through theirs.
    log("statistiques du planificateur (ANALYZE)")
    started = time.perf_counter()
    citemploi(env, "shell", "-c", ANALYZE)
    summary = (WORK / "demo.out").read_text(errors="replace").strip().splitlines()
    return timing | {
        "analyze_seconds": round(time.perf_counter() - started, 1),
        "label": f"Génération ({cites} cités, {format(people, ',').replace(',', ' ')} personnes, `citemploi demo`)",
        "summary": summary[-12:],
    }


def prepare(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "prepare.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"prepare failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def duckdb_comparison(env: dict[str, str]) -> dict[str, Any]:
    """bench/duckdb_compare.py in the bench's database, on the two JSON outputs just written: the figures
    checked against DuckDB and both sides timed warm. A failure is recorded in the results, not raised."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "duckdb_compare.py"),
            str(WORK / "indicators.json"),
            str(WORK / "national_indicators.json"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return {"error": f"bench/duckdb_compare.py a échoué ({result.returncode}) : {result.stderr[-1500:]}"}
    return json.loads(result.stdout)


# --- server and clients -----------------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int, threads: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = WORK / f"gunicorn-{port}.log"
        self.description = f"gunicorn, {workers} workers gthread × {threads} threads, 127.0.0.1, DEBUG=false"
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "citemploi.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            stdout=open(self.log_path, "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        import requests

        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {self.log_path.read_text()[-2000:]}")
            try:
                response = requests.get(self.base + "/sante/pret/", timeout=5)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:300]}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn not ready in time: {last}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _csrf(session: Any, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else session.cookies.get("csrftoken", "")


def sign_in(base: str, email: str, totp_secret: str | None) -> Any:
    """A requests session signed in over HTTP like a browser: form, CSRF token, password, then TOTP code."""
    import pyotp
    import requests

    session = requests.Session()
    page = session.get(base + "/connexion/")
    response = session.post(
        base + "/connexion/",
        data={"csrfmiddlewaretoken": _csrf(session, page.text), "username": email, "password": DEMO_PASSWORD},
        headers={"Referer": base + "/connexion/"},
    )
    if "/double-authentification/" in response.url:
        if not totp_secret:
            raise RuntimeError(f"{email}: second factor asked but no secret")
        response = session.post(
            response.url,
            data={
                "csrfmiddlewaretoken": _csrf(session, response.text),
                "code": pyotp.TOTP(totp_secret).now(),
            },
            headers={"Referer": response.url},
        )
    if response.status_code != 200 or "/connexion/" in response.url:
        raise RuntimeError(f"{email}: sign-in failed ({response.status_code}, {response.url})")
    return session


def measure(session: Any, url: str, requests_count: int, warmup: int, headers: dict[str, str] | None = None):
    samples, errors, size = [], 0, 0
    for _ in range(warmup):
        session.get(url, headers=headers, allow_redirects=False)
    for _ in range(requests_count):
        started = time.perf_counter()
        response = session.get(url, headers=headers, allow_redirects=False)
        samples.append((time.perf_counter() - started) * 1000)
        size = len(response.content)
        if response.status_code != 200:
            errors += 1
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    return report.summarize(samples, errors) | {"url": path, "bytes": size}


BUMP = "from citemploi.reporting import freshness\nfreshness.bump_all()"


def measure_after_change(session: Any, url: str, env: dict[str, str], count: int) -> dict[str, Any]:
    """The page's time on its first view after a change of the data (every cached result then outdated)."""
    samples, errors = [], 0
    for _ in range(count):
        citemploi(env, "shell", "-c", BUMP)
        started = time.perf_counter()
        response = session.get(url, allow_redirects=False)
        samples.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    return report.summarize(samples, errors) | {"url": path}


def throughput(template: Any, url: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads, each with its own connection and the template session's cookies, for `seconds`."""
    import requests

    lock = threading.Lock()
    samples: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        session = requests.Session()
        session.cookies.update(template.cookies)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                ok = session.get(url, allow_redirects=False, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            bad += 0 if ok else 1
        with lock:
            samples.extend(mine)
            errors += bad

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "errors": errors,
        "rps": round(len(samples) / elapsed, 1),
        "p50_ms": round(report.percentile(samples, 50), 1),
        "p95_ms": round(report.percentile(samples, 95), 1),
    }


# --- one run: a database at one data size ------------------------------------------------------------------


def run_one(
    database: str, env: dict[str, str], port: int, scale: dict[str, Any], people: int, full: bool
) -> dict[str, Any]:
    run: dict[str, Any] = {"database": database, "label": f"{people:,} personnes".replace(",", " ")}
    jobs: dict[str, Any] = {}
    info = prepare(env)
    run["dataset"] = (
        f"{info['cites_total']} cités (dont la cité de démonstration d'Amiens), {info['people_total']} personnes "
        f"au total, {info['people_in_cite']} dans la cité mesurée ({info['cite']})"
    )
    year = date.today().year
    if full:
        log("import de personnes et de services (chronométrés)")
        rows = scale["import_rows"]
        people_file = WORK / f"people-{rows}.csv"
        if not people_file.exists():
            people_csv(people_file, rows)
        amiens_coordinator = info["users"]["amiens_coordinator"]["email"]
        jobs["import_people"] = run_timed(
            [
                CITEMPLOI,
                "import_people",
                str(people_file),
                "--cite",
                info["amiens"],
                "--user",
                amiens_coordinator,
                "--structure",
                str(info["import_structure"]),
            ],
            env,
            stdout_path=WORK / "import_people.out",
        ) | {"label": f"Import de {rows:,} personnes (CSV)".replace(",", " ")}
        ok = (
            jobs["import_people"]["command_seconds"] <= report.IMPORT_TARGET_S
            and jobs["import_people"]["peak_mb"] <= report.IMPORT_TARGET_MB
        )
        jobs["import_people"]["verdict"] = (
            f"cible ≤ {report.IMPORT_TARGET_S:g} s et ≤ {report.IMPORT_TARGET_MB:g} Mo : {report.verdict(ok)}"
        )
        # The import takes at most 20,000 services per file (and the web form 20 MB): 50,000 services go in
        # files of 20,000, imported one after the other; the times add up, the peak memory is the largest.
        parts = []
        for index, start in enumerate(range(0, scale["services"], 20_000)):
            count = min(20_000, scale["services"] - start)
            services_dir = WORK / f"services-{scale['services']}-{index}"
            if not services_dir.exists():
                services_folder(services_dir, count, first=start)
            parts.append(
                run_timed(
                    [
                        CITEMPLOI,
                        "import_services",
                        str(services_dir),
                        "--cite",
                        info["amiens"],
                        "--user",
                        amiens_coordinator,
                    ],
                    env | {"IMPORT_MAX_BYTES": str(200 * 1024 * 1024)},
                    stdout_path=WORK / f"import_services-{index}.out",
                )
            )
        jobs["import_services"] = {
            "seconds": round(sum(p["seconds"] for p in parts), 2),
            "command_seconds": round(sum(p["command_seconds"] for p in parts), 2),
            "peak_mb": max(p["peak_mb"] for p in parts),
            "label": f"Import de {scale['services']:,} services data·inclusion (JSON en {len(parts)} fichiers)".replace(
                ",", " "
            ),
        }
        log("indicateurs de la cité sur un an")
        jobs["indicators"] = run_timed(
            [
                CITEMPLOI,
                "indicators",
                "--cite",
                info["cite"],
                "--from",
                f"{year}-01-01",
                "--to",
                f"{year}-12-31",
                "--format",
                "json",
            ],
            env,
            stdout_path=WORK / "indicators.json",
        ) | {"label": f"Indicateurs de la cité {info['cite']} pour {year} (`citemploi indicators`)"}
        ok = jobs["indicators"]["command_seconds"] <= report.CITE_INDICATORS_TARGET_S
        jobs["indicators"]["verdict"] = (
            f"cible ≤ {report.CITE_INDICATORS_TARGET_S:g} s : {report.verdict(ok)}"
        )
        log("indicateurs nationaux (toutes les cités) sur un an")
        jobs["national_indicators"] = run_timed(
            [
                CITEMPLOI,
                "indicators",
                "--all-cites",
                "--from",
                f"{year}-01-01",
                "--to",
                f"{year}-12-31",
                "--format",
                "json",
            ],
            env,
            stdout_path=WORK / "national_indicators.json",
        ) | {
            "label": f"Indicateurs nationaux, toutes cités, pour {year} (`citemploi indicators --all-cites`)"
        }
        ok = jobs["national_indicators"]["command_seconds"] <= report.NATIONAL_INDICATORS_TARGET_S
        jobs["national_indicators"]["verdict"] = (
            f"cible ≤ {report.NATIONAL_INDICATORS_TARGET_S:g} s : {report.verdict(ok)}"
        )
        log("mêmes indicateurs par DuckDB (chargement, vérification de chaque chiffre, temps à chaud)")
        jobs["duckdb"] = duckdb_comparison(env)
    run["jobs"] = jobs

    server = Server(env, port, workers=int(os.environ.get("BENCH_WORKERS", "4")), threads=4)
    try:
        server.wait_ready()
        base = server.base
        users = info["users"]
        log("connexion des utilisateurs (formulaire, CSRF, second facteur)")
        referent = sign_in(base, users["referent"]["email"], None)
        coordinator = sign_in(base, users["coordinator"]["email"], users["coordinator"]["totp"])
        amiens = sign_in(base, users["amiens_coordinator"]["email"], users["amiens_coordinator"]["totp"])
        national = sign_in(base, users["national"]["email"], users["national"]["totp"])
        token = (
            citemploi(env, "api_token", users["coordinator"]["email"], "--name", "banc")
            .strip()
            .splitlines()[-1]
        )
        anonymous = __import__("requests").Session()
        api = {"Authorization": f"Bearer {token}"}
        n, w = scale["requests"], scale["warmup"]
        plan: list[tuple[str, Any, str, dict[str, str] | None]] = [
            ("floor", referent, "/sante/plancher/", None),
            ("people_list", coordinator, "/personnes/?gender=F&page=2", None),
            ("person_file", referent, f"/personnes/{info['person']}/", None),
            ("referent_home", referent, "/", None),
            ("directory_search", anonymous, f"/services/resultats/?{info['directory_query']}", None),
            ("cite_dashboard", coordinator, "/indicateurs/", None),
            ("national_dashboard", national, "/indicateurs/national/", None),
            ("api_beneficiaries", anonymous, "/api/v1/beneficiaries?limit=50", api),
            ("api_structures", anonymous, "/api/v1/structures", api),
        ]
        if info["cohort"]:
            plan.append(("cohort_page", amiens, f"/cohortes/{info['cohort']}/", None))
        if info["application"]:
            plan.append(
                ("application_page", amiens, f"/appels-a-projets/dossiers/{info['application']}/", None)
            )
        pages = {}
        for name, session, path, headers in plan:
            log(f"page {name}")
            pages[name] = measure(session, base + path, n, w, headers)
        run["pages"] = report.judge_pages(pages, pages["floor"]["p50_ms"])
        # The dashboards above are served from the indicator results kept while the data is unchanged
        # (citemploi/reporting/freshness.py); here, the first view after a change, which computes them again.
        run["after_change"] = {}
        for name, session in (("cite_dashboard", coordinator), ("national_dashboard", national)):
            log(f"page {name} juste après une modification des données")
            run["after_change"][name] = measure_after_change(
                session, base + dict((p[0], p[2]) for p in plan)[name], env, scale["after_change"]
            )
        if full:
            run["throughput"] = {}
            for name, session, path in (
                ("floor", referent, "/sante/plancher/"),
                ("person_file", referent, f"/personnes/{info['person']}/"),
                ("directory_search", anonymous, f"/services/resultats/?{info['directory_query']}"),
            ):
                log(f"débit {name} ({scale['clients']} clients, {scale['seconds']} s)")
                t = throughput(session, base + path, scale["clients"], scale["seconds"])
                target = report.THROUGHPUT_TARGET_RPS.get(name)
                if target is not None:
                    t["ok"] = t["errors"] == 0 and t["rps"] >= target
                run["throughput"][name] = t
    finally:
        server.stop()
    return run


def run_database(database: str, scale_name: str) -> list[dict[str, Any]]:
    scale = scale_from_env(scale_name)
    port = free_port()
    runs = []
    sizes = scale["people"]
    for index, people in enumerate(sizes):
        full = index == len(sizes) - 1
        if database == "sqlite":
            db_path = WORK / f"bench-{people}.sqlite3"
            template = sqlite_template(lambda p: base_env(None, p, port))
            copy_sqlite(template, db_path)
            env = base_env(None, db_path, port)
            citemploi(env, "migrate", "--noinput", "-v0")  # migrations added since the template was built
            generation = build_dataset(env, scale["cites"], people, fresh_schema=False)
        else:
            if not full:
                continue  # one throw-away server, one data set: only the largest size on PostgreSQL
            env = base_env(os.environ["DATABASE_URL"], None, port)
            generation = build_dataset(env, scale["cites"], people, fresh_schema=True)
        runs.append(run_one(database, env, port, scale, people, full) | {"generation": generation})
        if database == "sqlite":
            for leftover in WORK.glob(f"bench-{people}.sqlite3*"):
                leftover.unlink()
    if len(runs) > 1:
        runs[-1]["growth"] = report.growth(runs[0]["pages"], runs[-1]["pages"])
        runs[-1]["growth_label"] = f"{runs[0]['label']} → {runs[-1]['label']}, même nombre de cités"
    return runs


def git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "inconnu"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], help="one database (internal use)")
    parser.add_argument("--partial", type=Path, help="write this database's runs here (internal use)")
    args = parser.parse_args()
    scale_name = os.environ.get("BENCH_SCALE", "small")
    if scale_name not in SCALES:
        raise SystemExit(f"BENCH_SCALE={scale_name!r}: choose one of {', '.join(SCALES)}")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "var").mkdir(exist_ok=True)
    if args.database:
        runs = run_database(args.database, scale_name)
        (args.partial or WORK / f"{args.database}.json").write_text(json.dumps(runs), encoding="utf-8")
        return
    databases = os.environ.get("BENCH_DB", "both")
    wanted = ["sqlite", "postgres"] if databases == "both" else [databases]
    static_env = base_env(None, WORK / "static-only.sqlite3", free_port())
    if not (WORK / "var" / "static" / "staticfiles.json").exists():
        log("collectstatic (fichiers compressés et manifeste, une fois)")
        citemploi(static_env, "collectstatic", "--noinput", "-v0")
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    notes = []
    for database in wanted:
        partial = WORK / f"{database}.json"
        partial.unlink(missing_ok=True)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--database",
            database,
            "--partial",
            str(partial),
        ]
        if database == "postgres":
            command = ["bash", str(ROOT / "scripts" / "with-postgres.sh"), *command]
        log(f"base {database}")
        result = subprocess.run(command, cwd=ROOT)
        if result.returncode != 0 or not partial.exists():
            notes.append(
                f"La mesure sur {database} a échoué (code {result.returncode}) : voir la sortie de make bench."
            )
            continue
        runs += json.loads(partial.read_text(encoding="utf-8"))
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "scale": scale_name,
        "machine": report.machine_description(
            Path("/proc/cpuinfo").read_text(), Path("/proc/meminfo").read_text()
        ),
        "server": "gunicorn, 4 workers gthread × 4 threads, 127.0.0.1, DEBUG=false, whitenoise",
        "conditions": os.environ.get(
            "BENCH_CONDITIONS",
            "clients sur la même machine que le serveur ; durée totale "
            f"{(time.monotonic() - started) / 60:.0f} min",
        ),
        "runs": runs,
        "notes": notes + [n for n in os.environ.get("BENCH_NOTES", "").split("|") if n],
    }
    json_path, md_path = report.write_results(results, Path(os.environ.get("BENCH_OUT", ROOT / "bench")))
    log(f"résultats : {json_path}, {md_path}")
    shutil.rmtree(WORK / "var" / "media", ignore_errors=True)


if __name__ == "__main__":
    main()
