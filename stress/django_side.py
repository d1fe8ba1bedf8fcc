"""Run inside the stress database (DJANGO_SETTINGS_MODULE=citemploi.settings, SQLITE_PATH or DATABASE_URL):

- `users`: the Amiens demo memberships the simulated users act with (coordinator, référents, partner members,
  holder), each with a new API token and, for the coordinator, the second-factor secret (read or created
  through the ORM); the services people may be oriented to, the published call, the structure of an import;
- `found ACKS.json`: {kind: {id: value}} of the acknowledged writes as the database holds them (the last name
  of a person, the text of a journal entry, the state of a barrier, the status of an orientation, the budget
  lines of a file…);
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
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for stress.harness

#: the slug of the demo cité (`citemploi demo`)
CITE = "amiens-metropole"


#: the roles the simulated users act with: people work (coordinator, référents), answering orientations
#: (référents, partner members) and drafting a call-for-projects file (holder)
ROLES = ("coordinator", "referent", "partner_member", "holder")


def users() -> dict:
    """One account per active membership of the demo cité with one of ROLES: its user's e-mail, the
    membership (a user with several picks it after signing in), its structure, a TOTP secret for a
    coordinator, and a new API token acting with that membership; plus the services the API may orient
    people to (open, of a structure with an account that can answer) and the published call."""
    import pyotp
    from django.utils import timezone

    from citemploi.accounts.models import TwoFactorDevice
    from citemploi.api import tokens
    from citemploi.calls.enums import CallStatus
    from citemploi.calls.models import Call
    from citemploi.core.context import ActingContext
    from citemploi.core.policy import Role
    from citemploi.offer import queries as offer_queries
    from citemploi.partners.models import Membership

    def secret(user) -> str:
        device = TwoFactorDevice.objects.filter(user=user).first()
        if device is None:
            device = TwoFactorDevice.objects.create(
                user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
            )
        return device.secret

    memberships = Membership.objects.filter(cite__slug=CITE, is_active=True).select_related(
        "user", "structure"
    )
    accounts = []
    for m in memberships.filter(role__in=ROLES).order_by("pk"):
        ctx = ActingContext(user=m.user, membership=m, via="cli")
        accounts.append(
            {
                "email": m.user.email,
                "role": m.role,
                "membership": m.pk,
                "memberships": memberships.filter(user=m.user).count(),
                "structure": m.structure_id,
                "totp": secret(m.user) if m.role == Role.COORDINATOR else None,
                "token": tokens.create_token(ctx=ctx, name="make stress").raw,
            }
        )
    answering = {a["structure"] for a in accounts if a["role"] in ("referent", "partner_member")}
    coordinator = memberships.filter(role=Role.COORDINATOR).order_by("pk").first()
    referent = memberships.filter(role=Role.REFERENT).order_by("pk").first()
    ctx = ActingContext(user=coordinator.user, membership=coordinator, via="cli")
    today = timezone.localdate()
    services = [
        {"id": s.pk, "structure": s.structure_id}
        for s in offer_queries.services_for(ctx).order_by("pk")
        if s.structure_id in answering and s.is_current(today)
    ]
    call = Call.objects.filter(cite__slug=CITE, status=CallStatus.PUBLISHED).order_by("pk").first()
    return {
        "accounts": accounts,
        "services": services,
        "call": call.pk if call else None,
        "cite": CITE,
        "import_user": coordinator.user.email,
        "import_structure": referent.structure_id,
    }


def _values(model, ids: list[int], field: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        out.update(model.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", field))
    return out


def found(path: str) -> dict:
    """What the database holds for each acknowledged write, in the form the client recorded it."""
    from citemploi.calls.models import Application
    from citemploi.orientations.models import Orientation
    from citemploi.pathways.models import BarrierRecord
    from citemploi.people.models import Beneficiary, Consent
    from citemploi.tracking.models import JournalEntry, Outcome

    acks = json.loads(Path(path).read_text(encoding="utf-8"))
    ids: dict[str, list[int]] = {}
    for a in acks:
        ids.setdefault(a["kind"], []).append(a["object_id"])
    fields = {
        "person": (Beneficiary, "last_name"),
        "consent": (Consent, "scope"),
        "journal": (JournalEntry, "text"),
        "barrier": (BarrierRecord, "barrier"),
        "barrier_state": (BarrierRecord, "state"),
        "outcome": (Outcome, "employer"),
        "orientation": (Orientation, "message"),
        "orientation_status": (Orientation, "status"),
        "application": (Application, "title"),
    }
    out: dict[str, dict[str, str]] = {}
    for kind, (model, field) in fields.items():
        values = _values(model, ids.get(kind, []), field)
        out[kind] = {str(k): str(v) for k, v in values.items()}
    from stress.harness import budget_key

    budgets: dict[str, str] = {}
    for app in Application.objects.filter(pk__in=ids.get("budget", [])).prefetch_related("budget"):
        budgets[str(app.pk)] = budget_key((e.line, e.amount) for e in app.budget.all())
    out["budget"] = budgets
    return out


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
    first = proposed.order_by("pk").first()
    if first is None:
        raise SystemExit("no file proposed to the committee in the demo")
    session = committee.create_session(
        ctx=ctx, call=first.call, held_on=date.today(), title="Copil de test de panne"
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
