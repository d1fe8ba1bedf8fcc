"""The pure parts of the stress harness: percentiles, the acknowledged-writes check (last value of each object
written), the budget lines' comparable form, the server-log scan and the reading of an HTML form's default
values. No Django, no network: unit-tested in tests/stress/."""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser


def percentile(samples: Iterable[float], pct: float) -> float:
    """The nearest-rank percentile (0 for no sample): the smallest value with at least pct % of the samples
    at or below it."""
    values = sorted(samples)
    if not values:
        return 0.0
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    rank = max(1, math.ceil(pct / 100 * len(values)))
    return values[rank - 1]


@dataclass(frozen=True)
class Ack:
    """A write the server acknowledged: what was written (kind), the id of the object written and the value
    the database must hold afterwards (the name sent, the state reached, the budget lines saved…)."""

    kind: str
    object_id: int
    name: str


#: what a simulated user writes, and the value recorded with each acknowledged write (checked in the database)
WRITE_KINDS = {
    "person": "a person created through the web form: their last name",
    "consent": "a consent recorded through the API: its scope",
    "journal": "a journal entry written through the API: its text",
    "barrier": "a barrier added to a diagnostic through the API: its code",
    "barrier_state": "a barrier added or moved through the API: its state",
    "outcome": "an outcome recorded through the API: the employer",
    "orientation": "an orientation sent through the API: its message",
    "orientation_status": "an orientation sent, then accepted by the receiving structure: its status",
    "application": "a call-for-projects file started through the web form: its title",
    "budget": "the budget section of a draft file saved through the web form: its lines (budget_key)",
}


def latest_acks(acknowledged: Iterable[Ack]) -> list[Ack]:
    """The last acknowledged write of each (kind, object): an object updated several times (a barrier moved
    from state to state, a budget saved again) must hold the value of its last acknowledged update."""
    latest: dict[tuple[str, int], Ack] = {}
    for a in acknowledged:
        latest.pop((a.kind, a.object_id), None)  # keep the order of the last write
        latest[(a.kind, a.object_id)] = a
    return list(latest.values())


def missing_writes(acknowledged: Iterable[Ack], found: Mapping[str, Mapping[int, str]]) -> list[Ack]:
    """The acknowledged writes absent from the database, or holding another value than the last one
    acknowledged for that object.

    `found` maps each kind to {id: value} as read from the database after the run."""
    return [a for a in latest_acks(acknowledged) if found.get(a.kind, {}).get(a.object_id) != a.name]


def budget_key(entries: Iterable[tuple[str, Decimal | str | int]]) -> str:
    """A file's budget lines as one comparable string, the same on the client (what it sent) and in the
    database: `line=amount` with two decimals, sorted."""
    return ";".join(sorted(f"{line}={Decimal(amount):.2f}" for line, amount in entries))


#: what counts as a server error in gunicorn's and Django's log
SERVER_LOG_ERRORS = (
    re.compile(r"database is locked", re.IGNORECASE),
    re.compile(r"^Traceback \(most recent call last\)", re.MULTILINE),
    re.compile(r"\[CRITICAL\] WORKER TIMEOUT"),
    re.compile(r"Internal Server Error"),
)


def server_log_errors(text: str) -> dict[str, int]:
    """How many times each error pattern appears in the server log (patterns that never appear omitted)."""
    counts = {p.pattern: len(p.findall(text)) for p in SERVER_LOG_ERRORS}
    return {k: v for k, v in counts.items() if v}


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("method", "get").lower() == "post" and a.get("action", "") in (
                "",
                self.action,
            )
        if not self.inside or tag == "form":
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "reset"):
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select, self.first_option = name, None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.values[self.select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            self.values.setdefault(self.select, self.first_option or "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_defaults(html: str, action: str = "") -> dict[str, str]:
    """The values a browser would send for the POST form whose action is `action` (or empty) without the
    user touching it: inputs with their value, checked boxes, the selected (else first) option, textareas."""
    reader = _FormReader(action)
    reader.feed(html)
    return reader.values


def first_choice(html: str, select_name: str) -> str:
    """The first non-empty option of a select (e.g. a structure a coordinator must choose)."""
    block = re.search(rf'<select[^>]*name="{re.escape(select_name)}"[^>]*>(.*?)</select>', html, re.S)
    if not block:
        return ""
    values = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', block.group(1)) if v]
    return values[0] if values else ""
