"""The simulated users of `make stress`: each a thread with a browser-like web session (form sign-in, CSRF,
TOTP for the coordinator, role chosen when the account has several) and an API client (a token acting with
the same membership), mixing reads and writes until the deadline.

Every write the server acknowledges is recorded (`Load.acks`) with the id it answered and the value the
database must hold afterwards; stress/run.py checks them in the database once the server is stopped.

What each role does (the action names are those of the results' `by_action`):

- coordinator and référents: read the people list and search, person files, the home page, the directory
  search, a person's journal through the API (the coordinator also the cité dashboard); create a person
  through the web form (`person_create`), then through the API on the people they created: record the
  consent to sharing (`consent`), add journal entries (`journal_write`), add barriers to the diagnostic
  (`barrier_add`) and move them from state to state (`barrier_state`), record an outcome (`outcome`),
  orient a person to a service of another structure (`orientation_send`); référents answer (accept) the
  orientations sent to their structure (`orientation_accept`);
- partner members: accept the orientations sent to their structure, read the orientations list;
- holder: starts a draft file on the published call through the web form (`application_create`), then
  saves its budget lines again and again through the budget section's form (`budget_save`).
"""

import random
import re
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench.run import sign_in as bench_sign_in
from stress.harness import WRITE_KINDS, Ack, budget_key, first_choice, form_defaults

#: barriers of the referential that are not sensitive (a sensitive one is the responsible référent's only)
BARRIERS = (
    "reseau-professionnel",
    "savoirs-de-base",
    "numerique",
    "contraintes-familiales",
    "mobilite",
    "logement",
    "precarite-financiere",
    "langue-francaise",
    "confiance-remobilisation",
    "difficultes-administratives",
)
#: the next state of a barrier, along transitions the pathway allows (citemploi.pathways.enums)
NEXT_BARRIER_STATE = {
    "identified": "action_engaged",
    "action_engaged": "persisting",
    "persisting": "action_engaged",
}
#: budget lines a holder fills (CERFA 12156 expenses and resources not detailed by funder)
BUDGET_LINES = ("604", "613", "622", "641", "70x", "756")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


_SECOND_FACTOR_LOCK = threading.Lock()
_SECOND_FACTOR_SESSIONS: dict[str, Any] = {}


def sign_in(base: str, account: dict[str, Any]) -> Any:
    """A requests session signed in like a browser (form, CSRF, TOTP code): make bench's own sign-in, then
    the role chosen on the « contexte » page when the user has several memberships.

    A TOTP code is accepted once (citemploi.accounts refuses a replayed step), so the simulated users sharing
    an account with a second factor sign in once and use it like browser tabs: each gets its own HTTP
    connection with the session cookie of the first sign-in."""
    import requests

    if account["totp"] is None:
        session = bench_sign_in(base, account["email"], None)
    else:
        with _SECOND_FACTOR_LOCK:
            first = _SECOND_FACTOR_SESSIONS.get(account["email"])
            if first is None:
                first = _SECOND_FACTOR_SESSIONS[account["email"]] = bench_sign_in(
                    base, account["email"], account["totp"]
                )
        session = requests.Session()
        session.cookies.update(first.cookies)
    if account.get("memberships", 1) > 1:
        url = f"{base}/contexte/"
        page = session.get(url)
        response = session.post(
            url,
            data={"csrfmiddlewaretoken": _csrf(page.text), "membership": account["membership"], "next": "/"},
            headers={"Referer": url},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{account['email']}: role not chosen ({response.status_code})")
    return session


def api_client(account: dict[str, Any]) -> Any:
    """An HTTP session for the API: the account's token, no cookie."""
    import requests

    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {account['token']}"
    return client


class Load:
    """The shared record of a load run: one latency sample per request, errors, acknowledged writes, and
    the orientations waiting for an answer by receiving structure."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.error_samples: list[str] = []
        self.acks: list[Ack] = []
        self.by_action: dict[str, int] = {}
        self.to_answer: dict[int, list[int]] = {}

    def request(self, session: Any, action: str, method: str, url: str, **kwargs: Any) -> Any:
        import requests

        started = time.perf_counter()
        detail = ""
        try:
            response = session.request(method, url, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            response, problem = None, f"{action}: {type(exc).__name__}"
            detail = f"{problem} {method} {url} → {str(exc)[:300]}"
        else:
            problem = f"{action}: HTTP {response.status_code}" if response.status_code >= 400 else ""
            if problem:
                detail = f"{problem} {method} {url} → {response.text[:300]}"
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.samples.append(elapsed)
            self.by_action[action] = self.by_action.get(action, 0) + 1
            if problem:
                self.errors.append(problem)
                if len(self.error_samples) < 20:
                    self.error_samples.append(detail or problem)
        return response

    def ack(self, kind: str, object_id: int, value: str) -> None:
        if kind not in WRITE_KINDS:
            raise ValueError(f"unknown write kind {kind}")
        with self.lock:
            self.acks.append(Ack(kind, object_id, value))

    def unexpected(self, action: str, response: Any) -> None:
        """A write answered without error but not as expected (no id, no redirect): an error of the run."""
        with self.lock:
            self.errors.append(f"{action}: unexpected answer {response.status_code}")
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{action}: {response.status_code} {response.text[:300]}")

    def post_orientation(self, structure: int, orientation_id: int) -> None:
        with self.lock:
            self.to_answer.setdefault(structure, []).append(orientation_id)

    def take_orientation(self, structure: int | None) -> int | None:
        with self.lock:
            waiting = self.to_answer.get(structure or 0)
            return waiting.pop(0) if waiting else None


class User:
    """One simulated user: its sessions, the objects it wrote (it alone writes on them, so the value it last
    wrote is the one the database must hold) and its own random sequence."""

    def __init__(
        self, load: Load, base: str, account: dict[str, Any], info: dict[str, Any], seed: int
    ) -> None:
        self.load, self.base, self.account, self.info = load, base, account, info
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = 0
        self.web: Any = None
        self.api: Any = None
        self.people: list[int] = []  # people it created, still without outcome
        self.exited: list[int] = []  # people with an outcome: read only
        self.consented: set[int] = set()
        self.barriers: dict[int, dict[str, Any]] = {}  # id → state, version
        self.barrier_codes: dict[int, set[str]] = {}  # person → barriers opened
        self.application: int | None = None

    # --- helpers

    def tag(self) -> str:
        """A unique tag for the values this user writes (not its e-mail: « csapa » or « spip » in a journal
        entry would rightly be refused as sensitive data)."""
        self.n += 1
        return f"r{self.account['membership']}-u{self.seed}-{self.n}"

    def get(self, action: str, path: str) -> Any:
        return self.load.request(self.web, action, "GET", self.base + path)

    def call_api(self, action: str, method: str, path: str, payload: Any, expected: int) -> dict | None:
        response = self.load.request(self.api, action, method, f"{self.base}/api/v1{path}", json=payload)
        if response is None or response.status_code >= 400:
            return None
        if response.status_code != expected:
            self.load.unexpected(action, response)
            return None
        return response.json()

    def today(self) -> str:
        return date.today().isoformat()

    # --- web writes

    def create_person(self) -> None:
        url = f"{self.base}/personnes/nouvelle/"
        form = self.load.request(self.web, "person_form", "GET", url)
        if form is None or form.status_code != 200:
            return
        data = form_defaults(form.text, "")
        name = f"Charge-{self.tag()}"[:100]
        data.update(
            {
                "last_name": name,
                "first_name": "Test",
                "birth_date": (date(1960, 1, 1) + timedelta(days=self.rng.randrange(15_000))).isoformat(),
            }
        )
        if "responsible_structure" in data and not data["responsible_structure"]:
            data["responsible_structure"] = first_choice(form.text, "responsible_structure")
        data["csrfmiddlewaretoken"] = _csrf(form.text)
        response = self.load.request(
            self.web, "person_create", "POST", url, data=data, headers={"Referer": url}
        )
        if response is None or response.status_code >= 400:
            return
        match = re.search(r"/personnes/(\d+)/$", response.headers.get("Location", ""))
        if response.status_code == 302 and match:
            pk = int(match.group(1))
            self.people.append(pk)
            self.load.ack("person", pk, name)
        else:
            self.load.unexpected("person_create", response)

    def create_application(self) -> None:
        url = f"{self.base}/appels-a-projets/{self.info['call']}/deposer/"
        form = self.load.request(self.web, "application_form", "GET", url)
        if form is None or form.status_code != 200:
            return
        data = form_defaults(form.text, "")
        title = f"Action de charge {self.tag()}"
        data.update({"title": title, "csrfmiddlewaretoken": _csrf(form.text)})
        response = self.load.request(
            self.web, "application_create", "POST", url, data=data, headers={"Referer": url}
        )
        if response is None or response.status_code >= 400:
            return
        match = re.search(r"/dossiers/(\d+)/", response.headers.get("Location", ""))
        if response.status_code == 302 and match:
            self.application = int(match.group(1))
            self.load.ack("application", self.application, title)
        else:
            self.load.unexpected("application_create", response)

    def save_budget(self) -> None:
        """The budget section of the draft file: every amount cleared, then a few lines filled anew."""
        if self.application is None:
            return
        url = f"{self.base}/appels-a-projets/dossiers/{self.application}/rubriques/budget/"
        form = self.load.request(self.web, "budget_form", "GET", url)
        if form is None or form.status_code != 200:
            return
        data = form_defaults(form.text, "")
        for key in data:
            if key.startswith("amount_"):
                data[key] = ""
        lines = self.rng.sample(BUDGET_LINES, self.rng.randint(1, 4))
        sent = {line: str(self.rng.randrange(100, 50_000)) for line in lines}
        for line, amount in sent.items():
            data[f"amount_{line}"] = amount
        data["csrfmiddlewaretoken"] = _csrf(form.text)
        response = self.load.request(
            self.web, "budget_save", "POST", url, data=data, headers={"Referer": url}
        )
        if response is None or response.status_code >= 400:
            return
        if response.status_code == 302:
            self.load.ack("budget", self.application, budget_key(sent.items()))
        else:
            self.load.unexpected("budget_save", response)

    # --- API writes

    def record_consent(self, person: int) -> None:
        payload = {"scope": "sharing", "method": "oral", "given_on": self.today()}
        out = self.call_api("consent", "POST", f"/beneficiaries/{person}/consents", payload, 201)
        if out:
            self.consented.add(person)
            self.load.ack("consent", out["id"], "sharing")

    def write_journal(self, person: int) -> None:
        text = f"Point téléphonique {self.tag()} : recherche d'emploi et prochain rendez-vous."
        payload = {"kind": "phone", "occurred_on": self.today(), "text": text}
        out = self.call_api("journal_write", "POST", f"/beneficiaries/{person}/journal", payload, 201)
        if out:
            self.load.ack("journal", out["id"], text)

    def add_barrier(self, person: int) -> None:
        opened = self.barrier_codes.setdefault(person, set())
        free = [b for b in BARRIERS if b not in opened]
        if not free:
            return
        code = self.rng.choice(free)
        payload = {"barrier": code, "severity": "medium", "source": "interview", "comment": self.tag()}
        out = self.call_api("barrier_add", "POST", f"/beneficiaries/{person}/barriers", payload, 201)
        if out:
            opened.add(code)
            self.barriers[out["id"]] = {"person": person, "state": out["state"], "version": out["version"]}
            self.load.ack("barrier", out["id"], code)
            self.load.ack("barrier_state", out["id"], out["state"])

    def move_barrier(self) -> None:
        barrier_id = self.rng.choice(list(self.barriers))
        barrier = self.barriers[barrier_id]
        target = NEXT_BARRIER_STATE[barrier["state"]]
        payload = {"state": target, "reason": "Point d'étape", "version": barrier["version"]}
        path = f"/beneficiaries/{barrier['person']}/barriers/{barrier_id}/state"
        out = self.call_api("barrier_state", "POST", path, payload, 200)
        if out:
            barrier.update(state=out["state"], version=out["version"])
            self.load.ack("barrier_state", barrier_id, out["state"])

    def record_outcome(self, person: int) -> None:
        employer = f"Employeur {self.tag()}"
        payload = {
            "type": "sustainable_job",
            "outcome_on": self.today(),
            "employer": employer,
            "contract_type": "cdi",
            "weekly_hours": "35",
        }
        out = self.call_api("outcome", "POST", f"/beneficiaries/{person}/outcomes", payload, 201)
        if out:
            self.load.ack("outcome", out["id"], employer)
            self.people.remove(person)
            self.exited.append(person)

    def send_orientation(self, person: int) -> None:
        mine = self.account["structure"]
        services = [s for s in self.info["services"] if s["structure"] != mine]
        if not services:
            return
        service = self.rng.choice(services)
        message = f"Orientation {self.tag()} : accompagnement vers l'emploi."
        payload = {"beneficiary": person, "service": service["id"], "message": message}
        out = self.call_api("orientation_send", "POST", "/orientations", payload, 201)
        if out:
            self.load.ack("orientation", out["id"], message)
            self.load.ack("orientation_status", out["id"], out["status"])
            self.load.post_orientation(service["structure"], out["id"])

    def accept_orientation(self, orientation_id: int) -> None:
        payload = {"decision": "accepted", "expected_status": "sent"}
        out = self.call_api(
            "orientation_accept", "POST", f"/orientations/{orientation_id}/answer", payload, 200
        )
        if out:
            self.load.ack("orientation_status", orientation_id, out["status"])

    # --- the mix

    def step(self) -> None:
        role = self.account["role"]
        if role == "holder":
            self.holder_step()
        elif role == "partner_member":
            self.partner_step()
        else:
            self.people_step()

    def holder_step(self) -> None:
        if self.application is None:
            self.create_application()
            return
        roll = self.rng.random()
        if roll < 0.5:
            self.save_budget()
        elif roll < 0.75:
            self.get("application_read", f"/appels-a-projets/dossiers/{self.application}/")
        else:
            self.get(*self.rng.choice([("home", "/"), ("calls_list", "/appels-a-projets/")]))

    def partner_step(self) -> None:
        waiting = self.load.take_orientation(self.account["structure"])
        if waiting is not None:
            self.accept_orientation(waiting)
        elif self.rng.random() < 0.5:
            self.get("orientations_list", "/orientations/")
        else:
            self.get("home", "/")

    def people_step(self) -> None:
        rng = self.rng
        if self.account["role"] == "referent" and rng.random() < 0.5:
            waiting = self.load.take_orientation(self.account["structure"])
            if waiting is not None:
                self.accept_orientation(waiting)
                return
        roll = rng.random()
        person = rng.choice(self.people) if self.people else None
        if roll < 0.10 or person is None:
            self.create_person()
        elif roll < 0.18:
            self.write_journal(person)
        elif roll < 0.24:
            self.add_barrier(person)
        elif roll < 0.30 and self.barriers:
            self.move_barrier()
        elif roll < 0.35:
            if person in self.consented:
                self.send_orientation(person)
            else:
                self.record_consent(person)
        elif roll < 0.37:
            self.record_outcome(person)
        elif roll < 0.47:
            read = rng.choice(self.people + self.exited)
            self.get("person_file", f"/personnes/{read}/")
        elif roll < 0.52:
            self.call_api("journal_read", "GET", f"/beneficiaries/{person}/journal", None, 200)
        else:
            reads = [
                ("people_list", "/personnes/"),
                ("people_search", "/personnes/?q=ma"),
                ("home", "/"),
                ("directory_search", "/services/resultats/?q=emploi"),
            ]
            if self.account["totp"] is not None:
                reads.append(("cite_dashboard", "/indicateurs/"))
            self.get(*rng.choice(reads))


def user_thread(
    load: Load,
    base: str,
    account: dict[str, Any],
    info: dict[str, Any],
    deadline: Callable[[], float],
    seed: int,
    barrier: Any,
) -> None:
    """Signs in, waits for every other user, then works until the deadline (known only at that point)."""
    user = User(load, base, account, info, seed)
    try:
        user.web = sign_in(base, account)
        user.api = api_client(account)
    except Exception as exc:  # a failed sign-in is an error of the run, not a crash of the harness
        with load.lock:
            load.errors.append(f"sign-in: {str(exc)[:120]}")
        barrier.wait()
        return
    barrier.wait()
    while time.monotonic() < deadline():
        try:
            user.step()
        except Exception as exc:  # an answer the harness cannot read (no id…): an error, and the user goes on
            with load.lock:
                load.errors.append(f"harness: {type(exc).__name__}")
                if len(load.error_samples) < 20:
                    load.error_samples.append(f"harness: {type(exc).__name__}: {str(exc)[:300]}")
