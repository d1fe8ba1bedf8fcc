"""The rule type protocol, the registry of rule types and the facts of a file that rules read.

A rule type checks **facts** (a frozen snapshot of the file built once per evaluation), never the database:
checks are pure functions, cheap to run live while the holder types, and easy to test exhaustively.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from citemploi.calls.budget_lines import Entry
from citemploi.calls.enums import Outcome


@dataclass(frozen=True)
class QPVFact:
    code: str
    name: str
    veille_active: bool


@dataclass(frozen=True)
class PreviousGrant:
    reference: str
    title: str
    year: int
    status: str
    report_status: str | None


@dataclass(frozen=True)
class RequiredDocumentFact:
    code: str
    label: str
    mandatory: bool


@dataclass(frozen=True)
class Facts:
    """What the rules may read about a file and its call, at the instant `now`."""

    now: datetime
    call_year: int
    opens_at: datetime | None
    closes_at: datetime | None
    call_themes: tuple[str, ...] = ()
    call_funder_label: str = ""
    cite_qpv_codes: frozenset[str] = frozenset()
    holder_kind: str = ""
    holder_kind_label: str = ""
    title: str = ""
    theme: str = ""
    qpvs: tuple[QPVFact, ...] = ()
    start_date: date | None = None
    end_date: date | None = None
    objectives_count: int = 0
    budget: tuple[Entry, ...] = ()
    investment_amount: Decimal = Decimal(0)
    requested_amount: Decimal = Decimal(0)
    documents: frozenset[str] = frozenset()
    required_documents: tuple[RequiredDocumentFact, ...] = ()
    previous_grants: tuple[PreviousGrant, ...] = ()
    #: which parts of the file are filled in, by name (see catalogue.FileComplete.FIELDS)
    filled: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str

    @classmethod
    def ok(cls, message: str) -> "Result":
        return cls(Outcome.PASS, message)

    @classmethod
    def fail(cls, message: str) -> "Result":
        return cls(Outcome.FAIL, message)

    @classmethod
    def na(cls, message: str) -> "Result":
        return cls(Outcome.NOT_APPLICABLE, message)


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamsError(ValueError):
    """The parameters of a rule do not match its schema; `messages` are in French."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


_PYDANTIC_FR = {
    "missing": "paramètre obligatoire",
    "extra_forbidden": "paramètre inconnu",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "string_type": "texte attendu",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "bool_parsing": "vrai ou faux attendu",
    "bool_type": "vrai ou faux attendu",
    "list_type": "liste attendue",
    "too_short": "liste trop courte",
    "too_long": "liste trop longue",
    "enum": "valeur inconnue",
    "literal_error": "valeur inconnue",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
    "model_type": "objet attendu",
    "dict_type": "objet attendu",
}


class RuleType:
    """A kind of eligibility rule. Subclasses set the class attributes and implement `check`."""

    code: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = NoParams

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """The JSON schema of the parameters (published by the API and shown to the coordinator)."""
        return cls.Params.model_json_schema()

    @classmethod
    def parse(cls, raw: Any) -> BaseModel:
        """The validated parameters; ParamsError with French messages otherwise."""
        try:
            return cls.Params.model_validate(raw if raw is not None else {})
        except PydanticValidationError as exc:
            messages = []
            for error in exc.errors():
                where = ".".join(str(p) for p in error.get("loc", ())) or "paramètres"
                ctx = error.get("ctx") or {}
                if error.get("type") == "value_error" and ctx.get("error"):
                    text = str(ctx["error"])
                else:
                    text = _PYDANTIC_FR.get(error.get("type", ""), "valeur invalide")
                messages.append(f"{where} : {text}.")
            raise ParamsError(messages) from None

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The parameters a new rule of this type starts with (JSON-ready)."""
        try:
            return cls.Params().model_dump(mode="json")
        except PydanticValidationError:
            return {}

    @classmethod
    def summary(cls, params: BaseModel) -> str:
        """One French sentence saying what this instance checks."""
        return cls.description

    def check(self, facts: Facts, params: Any) -> Result:
        raise NotImplementedError


REGISTRY: dict[str, type[RuleType]] = {}


def register(cls: type[RuleType]) -> type[RuleType]:
    if cls.code in REGISTRY:
        raise ValueError(f"Rule type {cls.code!r} registered twice")
    REGISTRY[cls.code] = cls
    return cls


def rule_type(code: str) -> type[RuleType] | None:
    return REGISTRY.get(code)


def choices() -> list[tuple[str, str]]:
    return [(code, cls.label) for code, cls in REGISTRY.items()]


Check = Callable[[Facts, Any], Result]
