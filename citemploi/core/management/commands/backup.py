"""`citemploi backup PATH`: write a consistent snapshot of the database and its manifest into PATH.

A backup is a directory holding the database snapshot and a JSON manifest:

- SQLite: `database.sqlite3`, written with SQLite's online backup API (consistent while the site runs);
- PostgreSQL: `database.dump`, written by `pg_dump -Fc` on a snapshot exported by a repeatable-read
  transaction, the same transaction that counts the rows of the manifest (counts and dump agree).

The manifest records the date, the version (package and git commit), the applied migrations and the
number of rows of every table, so that `citemploi restore` can refuse a backup newer than the code and
check the counts once restored. The snapshot functions live here and `restore` imports them.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
PG_BIN_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


class SnapshotError(Exception):
    """A backup or restore that cannot proceed; the message is shown to the operator (French)."""


def model_tables() -> list[str]:
    """Every concrete table of the installed models (auto-created many-to-many tables included)."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _counts(cursor: Any, existing: Iterable[str]) -> dict[str, int]:
    present = set(existing)
    counts = {}
    for table in model_tables():
        if table in present:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the models
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _git_commit() -> str:
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=Path(settings.BASE_DIR).parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citemploi")
    except PackageNotFoundError:
        return ""


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool, from PATH or Debian's versioned directories."""
    found = shutil.which(name)
    if found:
        return found
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    raise SnapshotError(
        f"{name} est introuvable : installez le client PostgreSQL (paquet postgresql-client) "
        "ou ajoutez son dossier au PATH."
    )


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SnapshotError(f"{Path(command[0]).name} a échoué : {result.stderr.strip()[:2000]}")


def backup(path: Path) -> dict[str, Any]:
    """Write a snapshot of the default database and its manifest into the directory `path`."""
    path.mkdir(parents=True, exist_ok=True)
    if (path / MANIFEST).exists():
        raise SnapshotError(f"{path} contient déjà une sauvegarde : choisissez un dossier vide.")
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "sqlite":
        target = path / SQLITE_FILE
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
            cursor = dest.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            existing = [row[0] for row in cursor.fetchall()]
            counts = _counts(cursor, existing)
            migrations = _migrations(cursor)
        finally:
            dest.close()
        files = [SQLITE_FILE]
    elif vendor == "postgresql":
        dump = pg_tool("pg_dump")
        args, env = _pg_env()
        # A dedicated connection holds a repeatable-read snapshot that pg_dump shares: the counts of the
        # manifest and the dump see exactly the same rows.
        import psycopg

        s = connection.settings_dict
        conninfo = {
            k: v
            for k, v in {
                "dbname": s["NAME"],
                "host": s.get("HOST") or None,
                "port": s.get("PORT") or None,
                "user": s.get("USER") or None,
                "password": s.get("PASSWORD") or None,
            }.items()
            if v
        }
        with psycopg.connect(autocommit=True, **conninfo) as pg:
            pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = pg.execute("SELECT pg_export_snapshot()").fetchall()[0][0]
            cur = pg.cursor()
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = [r[0] for r in cur.fetchall()]
            counts = _counts(cur, existing)
            migrations = _migrations(cur)
            _run(
                [dump, "-Fc", "--no-owner", f"--snapshot={snapshot}", "--file", str(path / PG_FILE), *args],
                env,
            )
            pg.execute("COMMIT")
        files = [PG_FILE]
    else:
        raise SnapshotError(f"Base de données {vendor} non prise en charge par la sauvegarde.")
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "version": _version(),
        "git_commit": _git_commit(),
        "vendor": vendor,
        "files": files,
        "migrations": migrations,
        "counts": counts,
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotError(f"{path} ne contient pas de sauvegarde citemploi ({MANIFEST} absent).") from exc
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{MANIFEST} est illisible : {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != 1:
        raise SnapshotError(f"{MANIFEST} n'est pas un manifeste de sauvegarde citemploi reconnu.")
    return manifest


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations applied in the backup that this code does not have (the backup is newer)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )


def current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(cursor, connection.introspection.table_names(cursor))


def restore(path: Path) -> dict[str, Any]:
    """Replace the default database with the backup in `path`; returns its manifest once counts match."""
    manifest = read_manifest(path)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise SnapshotError(
            f"Cette sauvegarde vient d'une base {manifest['vendor']} ; la base configurée est {vendor}."
        )
    newer = unknown_migrations(manifest)
    if newer:
        raise SnapshotError(
            "Cette sauvegarde est plus récente que le code (migrations inconnues : "
            + ", ".join(newer[:10])
            + ") : déployez la version du code qui l'a produite avant de la restaurer."
        )
    if vendor == "sqlite":
        source_file = path / SQLITE_FILE
        if not source_file.exists():
            raise SnapshotError(f"{source_file} est absent.")
        connection.ensure_connection()
        source = sqlite3.connect(source_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        dump_file = path / PG_FILE
        if not dump_file.exists():
            raise SnapshotError(f"{dump_file} est absent.")
        tool = pg_tool("pg_restore")
        args, env = _pg_env()
        connection.close()
        _run(
            [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(dump_file)],
            env,
        )
    found = current_counts()
    wrong = sorted(
        f"{table} : {found.get(table)} au lieu de {expected}"
        for table, expected in manifest["counts"].items()
        if found.get(table) != expected
    )
    if wrong:
        raise SnapshotError("Les comptes ne correspondent pas après restauration : " + " ; ".join(wrong[:10]))
    return manifest


class Command(BaseCommand):
    help = "Sauvegarde la base de données (instantané cohérent et manifeste JSON) dans un dossier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Dossier (vide ou à créer) qui recevra la sauvegarde.")

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        try:
            manifest = backup(path)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Sauvegarde écrite dans {path} : {len(manifest['counts'])} tables, {rows} lignes "
            f"({manifest['vendor']})."
        )
