"""Run inside the stress database (DJANGO_SETTINGS_MODULE=citemploi.settings, SQLITE_PATH or DATABASE_URL):

- `users`: the Amiens demo coordinators and référents the simulated users sign in as, with second-factor
  secrets (read or created through the ORM) for the roles that need one; the structure an import goes to;
- `found ACKS.json`: {kind: {id: name}} of the acknowledged writes as the database holds them;
- `imported MARKER`: how many people carry the marker last name of the generated import file;
- `integrity`: the database's own consistency check (SQLite integrity and foreign keys; PostgreSQL: the
  catalogue's check of every index of the tables written, via amcheck when available).
- `committee-prepare`: a Copil session of the Amiens demo with files on its agenda, every decision taken
  (files proposed first where the demo has reviewed ones), not locked yet;
- `committee-lock SESSION [--pause]`: locks the session (the decision moving every file); with --pause it
  prints PAUSED and sleeps inside the service's transaction after the first file moved, for the harness to
  SIGKILL it there;
- `committee-state SESSION`: whether the session is locked and the status of each file on its agenda.
Each prints JSON on stdout.
"""

import json
import sys

import django

#: the slug of the demo cité (`citemploi demo`)
CITE = "amiens-metropole"


def users() -> dict:
    import pyotp
    from django.utils import timezone

    from citemploi.accounts.models import TwoFactorDevice
    from citemploi.core.policy import Role
    from citemploi.partners.models import Membership

    def secret(user) -> str:
        device = TwoFactorDevice.objects.filter(user=user).first()
        if device is None:
            device = TwoFactorDevice.objects.create(
                user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
            )
        return device.secret

    memberships = Membership.objects.filter(
        cite__slug=CITE, is_active=True, role__in=[Role.COORDINATOR, Role.REFERENT]
    ).select_related("user", "structure")
    accounts = []
    for m in memberships.order_by("pk"):
        if any(a["email"] == m.user.email for a in accounts):
            continue
        coordinator = m.role == Role.COORDINATOR
        accounts.append(
            {"email": m.user.email, "role": m.role, "totp": secret(m.user) if coordinator else None}
        )
    referent = memberships.filter(role=Role.REFERENT).order_by("pk").first()
    coordinator = memberships.filter(role=Role.COORDINATOR).order_by("pk").first()
    return {
        "accounts": accounts,
        "cite": CITE,
        "import_user": coordinator.user.email,
        "import_structure": referent.structure_id,
    }


def found(path: str) -> dict:
    from citemploi.people.models import Beneficiary

    acks = json.load(open(path, encoding="utf-8"))
    ids = [a["object_id"] for a in acks if a["kind"] == "person"]
    people = {}
    for start in range(0, len(ids), 500):
        people.update(
            Beneficiary.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", "last_name")
        )
    return {"person": {str(k): v for k, v in people.items()}}


def imported(marker: str) -> dict:
    from citemploi.people.models import Beneficiary

    return {"count": Beneficiary.objects.filter(last_name__startswith=marker).count()}


def integrity() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA integrity_check")
            result = [r[0] for r in cursor.fetchall()]
            cursor.execute("PRAGMA foreign_key_check")
            orphans = cursor.fetchall()
            return {
                "ok": result == ["ok"] and not orphans,
                "integrity_check": result[:5],
                "orphans": len(orphans),
            }
        cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        cursor.execute(
            "SELECT c.relname, bt_index_check(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND n.nspname = 'public'"
        )
        checked = len(cursor.fetchall())
        return {"ok": True, "indexes_checked": checked}


def _coordinator_ctx():
    from citemploi.core.context import ActingContext
    from citemploi.core.policy import Role
    from citemploi.partners.models import Membership

    m = (
        Membership.objects.filter(cite__slug=CITE, role=Role.COORDINATOR, is_active=True)
        .order_by("pk")
        .first()
    )
    return ActingContext(user=m.user, membership=m, via="cli")


def committee_prepare() -> dict:
    from datetime import date

    from citemploi.calls.enums import ApplicationStatus, DecisionOutcome, ReviewStatus
    from citemploi.calls.models import Application, Review
    from citemploi.calls.services import committee, instruction

    ctx = _coordinator_ctx()
    reviewed = Application.objects.filter(
        call__cite__slug=CITE, status=ApplicationStatus.UNDER_REVIEW
    ).order_by("pk")
    for app in reviewed:
        if Review.objects.filter(assignment__application=app, status=ReviewStatus.SUBMITTED).exists():
            instruction.propose_to_committee(ctx=ctx, app=app, reason="Test de panne")
    proposed = Application.objects.filter(call__cite__slug=CITE, status=ApplicationStatus.PROPOSED)
    app = proposed.order_by("pk").first()
    if app is None:
        raise SystemExit("no file proposed to the committee in the demo")
    session = committee.create_session(
        ctx=ctx, call=app.call, held_on=date.today(), title="Copil de test de panne"
    )
    for decision in session.decisions.select_related("application").order_by("pk"):
        committee.save_decision(
            ctx=ctx,
            decision=decision,
            outcome=DecisionOutcome.POSTPONED,
            reason="Dossier à revoir (test de panne).",
        )
    return {"session": session.pk, "files": session.decisions.count()}


def committee_lock(session_id: int, pause: bool) -> dict:
    import time

    from citemploi.calls import machines
    from citemploi.calls.models import CommitteeSession
    from citemploi.calls.services import committee

    if pause:
        real_move = machines.move
        moved = []

        def move_then_pause(*args, **kwargs):
            result = real_move(*args, **kwargs)
            moved.append(1)
            if len(moved) == 1:
                print("PAUSED", flush=True)
                time.sleep(120)  # the harness kills the process here, inside the transaction
            return result

        machines.move = move_then_pause
    session = committee.lock_session(
        ctx=_coordinator_ctx(), session=CommitteeSession.objects.get(pk=session_id)
    )
    return {"locked": session.status}


def committee_state(session_id: int) -> dict:
    from citemploi.calls.enums import SessionStatus
    from citemploi.calls.models import CommitteeSession

    session = CommitteeSession.objects.get(pk=session_id)
    decisions = session.decisions.select_related("application").order_by("pk")
    return {
        "locked": session.status == SessionStatus.LOCKED,
        "statuses": [d.application.status for d in decisions],
        "references": [d.reference for d in decisions],
    }


def main() -> None:
    django.setup()
    command, *args = sys.argv[1:]
    if command == "users":
        out = users()
    elif command == "found":
        out = found(args[0])
    elif command == "imported":
        out = imported(args[0])
    elif command == "committee-prepare":
        out = committee_prepare()
    elif command == "committee-lock":
        out = committee_lock(int(args[0]), "--pause" in args)
    elif command == "committee-state":
        out = committee_state(int(args[0]))
    elif command == "integrity":
        out = integrity()
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
