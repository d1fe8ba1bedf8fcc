"""Property-based tests of the calls' eligibility rules: for every rule type of the registry, random
parameters are either accepted or refused with ParamsError in French, and random file facts always give a
result (never an exception), directly and through the engine."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from citemploi.calls import budget_lines
from citemploi.calls.eligibility.base import (
    REGISTRY,
    Facts,
    ParamsError,
    PreviousGrant,
    QPVFact,
    RequiredDocumentFact,
    Result,
)
from citemploi.calls.eligibility.catalogue import FileComplete
from citemploi.calls.eligibility.engine import evaluate_rule
from citemploi.calls.enums import ApplicationStatus, Outcome, ReportStatus, Severity, Theme
from citemploi.calls.models import EligibilityRule
from citemploi.partners.enums import StructureKind

# No shrinking phase: a failure is reported as found, which keeps the run bounded.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
RULE_TYPES = sorted(REGISTRY)
#: English phrases pydantic would leak if a message were not translated
ENGLISH = ("Input should", "Field required", "Extra inputs", "should be", "valid ")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.sampled_from(["", "68", "60", "association", "identification", "CITE EMPLOI-", "12.5", "-1", "1e400"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def raw_params(draw: st.DrawFn, code: str) -> Any:
    """A JSON document a coordinator (or the API) could send as the parameters of a rule of type `code`."""
    params_model: type[BaseModel] = REGISTRY[code].Params
    names = list(params_model.model_fields)
    keys = st.sampled_from(names) | st.text(max_size=12) if names else st.text(max_size=12)
    return draw(st.one_of(st.dictionaries(keys, json_values, max_size=5), json_values))


def _keys(raw: Any) -> set[str]:
    """Every key of the document sent (they are echoed in the messages to say where the error is)."""
    if isinstance(raw, dict):
        return {str(k) for k in raw if k} | {k for v in raw.values() for k in _keys(v)}
    if isinstance(raw, list):
        return {k for v in raw for k in _keys(v)}
    return set()


def english_in(message: str, raw: Any) -> list[str]:
    """The English phrases in our part of a message, the sender's own keys left out (a key may be "invalid")."""
    for key in sorted(_keys(raw), key=len, reverse=True):
        message = message.replace(key, "")
    return [phrase for phrase in ENGLISH if phrase in message]


def assert_params_error_in_french(error: ParamsError, raw: Any = None) -> None:
    assert error.messages
    for message in error.messages:
        assert isinstance(message, str) and " : " in message and message.endswith("."), message
        assert not english_in(message, raw), message


@FUZZ
@given(data=st.data())
def test_random_params_are_valid_or_refused_in_french(data: st.DataObject) -> None:
    for code in RULE_TYPES:
        cls = REGISTRY[code]
        raw = data.draw(raw_params(code), label=code)
        try:
            params = cls.parse(raw)
        except ParamsError as error:
            assert_params_error_in_french(error, raw)
        else:
            assert isinstance(params, cls.Params)
            summary = cls.summary(params)
            assert isinstance(summary, str) and summary


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
aware = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
some_dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
codes = st.sampled_from(["QN08003M", "QN08004M", "QN80001A", "QN99999Z", ""]) | st.text(max_size=10)


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    """The facts of any file, complete or not, coherent or not (what a holder can type in)."""
    themes = st.sampled_from(Theme.values)
    return Facts(
        now=draw(aware),
        call_year=draw(st.integers(min_value=2000, max_value=2100)),
        opens_at=draw(st.none() | aware),
        closes_at=draw(st.none() | aware),
        call_themes=tuple(draw(st.lists(themes, max_size=4, unique=True))),
        call_funder_label=draw(st.text(max_size=40)),
        cite_qpv_codes=frozenset(draw(st.lists(codes, max_size=4))),
        holder_kind=draw(st.sampled_from([*StructureKind.values, ""])),
        holder_kind_label=draw(st.text(max_size=30)),
        title=draw(st.text(max_size=120)),
        theme=draw(st.sampled_from(["", *Theme.values])),
        qpvs=tuple(
            draw(
                st.lists(
                    st.builds(QPVFact, code=codes, name=st.text(max_size=30), veille_active=st.booleans())
                )
            )
        ),
        start_date=draw(some_dates),
        end_date=draw(some_dates),
        objectives_count=draw(st.integers(min_value=0, max_value=50)),
        budget=tuple(
            draw(
                st.lists(
                    st.builds(
                        budget_lines.Entry,
                        line=st.sampled_from(sorted(budget_lines.LINES)),
                        amount=amounts,
                        label=st.text(max_size=40),
                    ),
                    max_size=12,
                )
            )
        ),
        investment_amount=draw(amounts),
        requested_amount=draw(amounts),
        documents=frozenset(draw(st.lists(st.text(max_size=12), max_size=4))),
        required_documents=tuple(
            draw(
                st.lists(
                    st.builds(
                        RequiredDocumentFact,
                        code=st.text(max_size=12),
                        label=st.text(min_size=1, max_size=30),
                        mandatory=st.booleans(),
                    ),
                    max_size=4,
                )
            )
        ),
        previous_grants=tuple(
            draw(
                st.lists(
                    st.builds(
                        PreviousGrant,
                        reference=st.text(max_size=12),
                        title=st.text(max_size=30),
                        year=st.integers(min_value=1990, max_value=2100),
                        status=st.sampled_from(ApplicationStatus.values),
                        report_status=st.none() | st.sampled_from(ReportStatus.values),
                    ),
                    max_size=4,
                )
            )
        ),
        filled=draw(st.dictionaries(st.sampled_from(sorted(FileComplete.FIELDS)), st.booleans())),
    )


def valid_params(data: st.DataObject, code: str) -> BaseModel:
    """Parameters accepted by the rule type: fuzzed ones when the draw is valid, else the defaults."""
    cls = REGISTRY[code]
    try:
        return cls.parse(data.draw(raw_params(code), label=f"{code} params"))
    except ParamsError:
        return cls.parse(cls.defaults())


@FUZZ
@given(data=st.data(), file_facts=facts())
def test_every_rule_gives_a_result_on_any_file(data: st.DataObject, file_facts: Facts) -> None:
    for code in RULE_TYPES:
        result = REGISTRY[code]().check(file_facts, valid_params(data, code))
        assert isinstance(result, Result)
        assert result.outcome in Outcome.values
        assert isinstance(result.message, str) and result.message.strip()


@FUZZ
@given(data=st.data(), file_facts=facts())
def test_the_engine_evaluates_stored_rules_whatever_their_params(
    data: st.DataObject, file_facts: Facts
) -> None:
    for code in [*RULE_TYPES, "retired_rule_type"]:
        raw = data.draw(raw_params(code) if code in REGISTRY else json_values, label=f"{code} stored")
        severity = data.draw(st.sampled_from(Severity.values))
        rule = EligibilityRule(rule_type=code, params=raw, severity=severity, message="Conseil au porteur.")
        evaluation = evaluate_rule(rule, file_facts)
        assert evaluation.outcome in Outcome.values and evaluation.message
        if code in REGISTRY:
            assert evaluation.advice == ("Conseil au porteur." if evaluation.outcome == Outcome.FAIL else "")
        else:
            assert evaluation.outcome == Outcome.NOT_APPLICABLE and "inconnu" in evaluation.message
        if evaluation.message.startswith("Paramètres de la règle invalides"):
            assert evaluation.outcome == Outcome.FAIL and not english_in(evaluation.message, raw)


def test_the_registry_is_fuzzed_whole() -> None:
    """A new rule type is fuzzed as soon as it is registered; this guards against an empty registry."""
    assert len(RULE_TYPES) >= 15


def test_a_sender_key_that_reads_as_english_is_not_taken_for_our_wording():
    raw = {"prefix": "CITE EMPLOI-", "invalid": 1}
    with pytest.raises(ParamsError) as caught:
        REGISTRY["title_prefix"].parse(raw)
    assert "invalid : paramètre inconnu." in " ".join(caught.value.messages)
    assert_params_error_in_french(caught.value, raw)
    assert english_in("invalid : Input should be a valid string.", raw) == [
        "Input should",
        "should be",
        "valid ",
    ]
