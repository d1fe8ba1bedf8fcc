"""The .ics written by hand: RFC 5545 line folding, escaping, UTC times, the properties calendars need."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from citemploi.partnership import ics
from tests.partnership.factories import CommitteeFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def unfold(text: str) -> list[str]:
    """The logical lines of a calendar (RFC 5545 §3.1 unfolding)."""
    return text.replace("\r\n ", "").split("\r\n")


def test_escape_text_escapes_backslash_semicolon_comma_and_newlines():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "Réunion du comité à l'hôtel de ville — " * 6
    folded = ics.fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line  # no character lost or cut in half


def test_short_line_is_not_folded():
    assert ics.fold("VERSION:2.0") == "VERSION:2.0"


def test_utc_stamp_converts_paris_time():
    assert ics.utc_stamp(datetime(2024, 3, 12, 9, 30, tzinfo=PARIS)) == "20240312T083000Z"
    assert ics.utc_stamp(datetime(2024, 7, 1, 9, 30, tzinfo=PARIS)) == "20240701T073000Z"


def test_meeting_calendar_has_the_properties_of_an_invitation(world):
    committee = CommitteeFactory(cite=world.cite, name="Copil de la cité, Amiens; 2024")
    meeting = MeetingFactory(
        committee=committee,
        title="Copil n°2 : bilan, perspectives",
        starts_at=datetime(2024, 3, 12, 9, 30, tzinfo=PARIS),
        ends_at=datetime(2024, 3, 12, 11, 30, tzinfo=PARIS),
        place="Hôtel de ville, salle 2; bâtiment B",
        agenda="1. Bilan\n2. Appel à projets",
    )
    text = ics.meeting_calendar(
        meeting,
        organizer_name="Camille Martin, coordination",
        organizer_email="camille@example.org",
        attendees=[("Awa Diallo", "awa@example.org")],
        now=datetime(2024, 2, 1, 10, 0, tzinfo=UTC),
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(p.encode()) <= 75 for p in text.split("\r\n"))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "METHOD:REQUEST" in lines
    assert lines.count("BEGIN:VEVENT") == 1 and "END:VEVENT" in lines
    props = dict(line.split(":", 1) for line in lines if line and ";" not in line.split(":", 1)[0])
    assert props["UID"] == f"{meeting.uid}@127.0.0.1"
    assert props["DTSTAMP"] == "20240201T100000Z"
    assert props["DTSTART"] == "20240312T083000Z" and props["DTEND"] == "20240312T103000Z"
    assert props["SUMMARY"] == "Copil n°2 : bilan\\, perspectives"
    assert props["LOCATION"] == "Hôtel de ville\\, salle 2\\; bâtiment B"
    assert "1. Bilan\\n2. Appel à projets" in props["DESCRIPTION"]
    assert props["SEQUENCE"] == "0" and props["STATUS"] == "CONFIRMED"
    assert 'ORGANIZER;CN="Camille Martin, coordination":mailto:camille@example.org' in lines
    assert any(re.match(r"ATTENDEE;CN=Awa Diallo;.*:mailto:awa@example.org$", line) for line in lines)


def test_cancelled_meeting_gives_a_cancellation(world):
    meeting = MeetingFactory(committee=CommitteeFactory(cite=world.cite), cancelled=True, sequence=2)
    lines = unfold(
        ics.meeting_calendar(meeting, organizer_name="Coordination", organizer_email="c@example.org")
    )
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines and "SEQUENCE:2" in lines
