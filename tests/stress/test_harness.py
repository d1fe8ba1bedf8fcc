"""The pure parts of the stress harness (stress/harness.py): percentiles, the acknowledged-writes check,
the budget lines' comparable form, the server-log scan and the reading of a form's defaults."""

from decimal import Decimal

import pytest

from stress.harness import (
    Ack,
    budget_key,
    first_choice,
    form_defaults,
    latest_acks,
    missing_writes,
    percentile,
    server_log_errors,
)


def test_percentile_is_the_nearest_rank():
    samples = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile(samples, 100) == 100
    assert percentile(samples, 0) == 1
    assert percentile([7.0], 95) == 7
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2
    assert percentile([1.0, 2.0, 3.0, 4.0], 51) == 3
    assert percentile([], 95) == 0


def test_percentile_refuses_a_rank_outside_0_100():
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_every_acknowledged_write_must_be_found_with_its_name():
    acks = [Ack("person", 1, "Charge-a-1"), Ack("person", 2, "Charge-a-2"), Ack("person", 3, "Charge-b-1")]
    found = {"person": {1: "Charge-a-1", 2: "Autre nom"}}
    assert missing_writes(acks, found) == [Ack("person", 2, "Charge-a-2"), Ack("person", 3, "Charge-b-1")]
    assert missing_writes(acks, {"person": {1: "Charge-a-1", 2: "Charge-a-2", 3: "Charge-b-1"}}) == []
    assert missing_writes(acks, {}) == acks
    assert missing_writes([], {}) == []


def test_an_object_written_several_times_must_hold_its_last_acknowledged_value():
    acks = [
        Ack("barrier_state", 7, "identified"),
        Ack("barrier", 7, "mobilite"),
        Ack("barrier_state", 7, "action_engaged"),
        Ack("barrier_state", 8, "identified"),
        Ack("barrier_state", 7, "persisting"),
    ]
    assert latest_acks(acks) == [
        Ack("barrier", 7, "mobilite"),
        Ack("barrier_state", 8, "identified"),
        Ack("barrier_state", 7, "persisting"),
    ]
    found = {"barrier": {7: "mobilite"}, "barrier_state": {7: "persisting", 8: "identified"}}
    assert missing_writes(acks, found) == []
    # the database still holding an earlier state is a lost write
    stale = {"barrier": {7: "mobilite"}, "barrier_state": {7: "action_engaged", 8: "identified"}}
    assert missing_writes(acks, stale) == [Ack("barrier_state", 7, "persisting")]


def test_budget_lines_compare_the_same_whatever_their_order_and_decimals():
    sent = budget_key([("641", "12000"), ("604", 350)])
    assert sent == "604=350.00;641=12000.00"
    assert budget_key([("604", Decimal("350.00")), ("641", Decimal("12000"))]) == sent
    assert budget_key([("604", Decimal("350.01")), ("641", Decimal("12000"))]) != sent
    assert budget_key([]) == ""


def test_the_server_log_scan_counts_locks_tracebacks_and_timeouts():
    log = (
        "[2026-11-22 04:00:00 +0000] [12] [INFO] Booting worker\n"
        "Internal Server Error: /personnes/\nTraceback (most recent call last):\n  File x\n"
        "django.db.utils.OperationalError: database is locked\n"
        "[2026-11-22 04:00:01 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:12)\n"
    )
    assert server_log_errors(log) == {
        "database is locked": 1,
        r"^Traceback \(most recent call last\)": 1,
        r"\[CRITICAL\] WORKER TIMEOUT": 1,
        "Internal Server Error": 1,
    }
    assert server_log_errors("[INFO] Booting worker with pid: 12\n") == {}


FORM = """
<form method="get" action="/recherche/"><input name="q" value="ignored"></form>
<form method="post" action="">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="text" name="last_name" value="">
  <input type="checkbox" name="rsa" value="on">
  <input type="checkbox" name="cej" checked>
  <input type="radio" name="gender" value="F"><input type="radio" name="gender" value="M" checked>
  <select name="responsible_structure"><option value="">---------</option><option value="12">FT</option></select>
  <select name="qpv"><option value="a">A</option><option value="b" selected>B</option></select>
  <textarea name="notes">Déjà &amp; là</textarea>
  <input type="submit" name="save" value="Enregistrer">
</form>
"""


def test_form_defaults_are_what_a_browser_would_send_untouched():
    assert form_defaults(FORM) == {
        "csrfmiddlewaretoken": "tok",
        "last_name": "",
        "cej": "on",
        "gender": "M",
        "responsible_structure": "",
        "qpv": "b",
        "notes": "Déjà & là",
    }
    assert first_choice(FORM, "responsible_structure") == "12"
    assert first_choice(FORM, "absent") == ""
