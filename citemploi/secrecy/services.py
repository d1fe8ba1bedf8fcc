"""Statistical secrecy with the cité's thresholds and a log of every suppression.

`protect_table` is what every figure leaving the cité goes through (national page, funders' exports,
public figures, steering committee): see citemploi.secrecy.engine for the rules.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.secrecy.engine import RATE, Key, ProtectedTable, hide_rates, protect, rate_or_none
from citemploi.secrecy.models import DEFAULT_THRESHOLD, Audience, SecrecySettings, SuppressionLog


def _audience(audience: str) -> str:
    if audience not in Audience.values:
        raise ValueError(
            f"Public destinataire inconnu : {audience!r} (attendu : {', '.join(Audience.values)})."
        )
    return audience


def threshold_for(cite_id: int | None, audience: str) -> int:
    """The threshold of a cité for an audience: its setting for that audience, else the cité's default
    threshold, else 11. Across cités (no cité), 11."""
    _audience(audience)
    if cite_id is None:
        return DEFAULT_THRESHOLD
    found = (
        SecrecySettings.objects.filter(cite_id=cite_id, audience=audience)
        .values_list("threshold", flat=True)
        .first()
    )
    if found is not None:
        return found
    from citemploi.territory.models import Cite

    default = Cite.objects.filter(pk=cite_id).values_list("secrecy_threshold", flat=True).first()
    return default or DEFAULT_THRESHOLD


class Thresholds:
    """The thresholds of one computation (a page, an export, an API call), each looked up once.

    Made for one request and dropped with it: nothing is kept across requests, so a threshold the
    coordinator changes applies to the very next page."""

    def __init__(self) -> None:
        self._known: dict[tuple[int | None, str], int] = {}

    def get(self, cite_id: int | None, audience: str) -> int:
        key = (cite_id, audience)
        if key not in self._known:
            self._known[key] = threshold_for(cite_id, audience)
        return self._known[key]


def thresholds_of_cite(cite_id: int) -> dict[str, int]:
    """audience → threshold for one cité (two queries)."""
    from citemploi.territory.models import Cite

    default = Cite.objects.filter(pk=cite_id).values_list("secrecy_threshold", flat=True).first()
    result = {a: default or DEFAULT_THRESHOLD for a in Audience.values}
    for audience, threshold in SecrecySettings.objects.filter(cite_id=cite_id).values_list(
        "audience", "threshold"
    ):
        result[audience] = threshold
    return result


def protect_table(
    counts: Mapping[tuple[str, ...], int],
    dimensions: tuple[str, ...],
    *,
    audience: str,
    indicator: str,
    cite_id: int | None,
    threshold: int | None = None,
    categories: Sequence[Iterable[str]] | None = None,
) -> ProtectedTable:
    """The table as it may be published for `audience`; every suppression is logged in one insert.

    `categories` (optional) lists the categories of each dimension in display order, including those
    with no count at all (they read zero)."""
    _audience(audience)
    if threshold is None:
        threshold = threshold_for(cite_id, audience)
    table = protect(counts, dimensions, threshold=threshold, categories=categories)
    if table.suppressed:
        _log(table.suppressed, indicator=indicator, audience=audience, cite_id=cite_id, threshold=threshold)
    return table


def protect_rates(
    values: Mapping[Key, object],
    denominators: Mapping[Key, int] | None,
    keys: Iterable[Key],
    *,
    audience: str,
    indicator: str,
    cite_id: int | None,
    threshold: int | None = None,
    numerators: Mapping[Key, int] | None = None,
) -> dict[Key, object | None]:
    """Rates, means or medians of a table as they may be published for `audience` (None = not shown), see
    `citemploi.secrecy.engine.hide_rates`; the figures not shown are logged in one insert."""
    _audience(audience)
    if threshold is None:
        threshold = threshold_for(cite_id, audience)
    shown, suppressed = hide_rates(values, denominators, keys, threshold=threshold, numerators=numerators)
    if suppressed:
        _log(suppressed, indicator=indicator, audience=audience, cite_id=cite_id, threshold=threshold)
    return shown


def protect_rate(
    numerator: int,
    denominator: int,
    *,
    threshold: int,
    indicator: str | None = None,
    audience: str | None = None,
    cite_id: int | None = None,
    key: Sequence[str] = (),
) -> float | None:
    """numerator / denominator (a ratio, 0.299 for 29.9 %), None when the denominator is under the threshold.
    With `indicator` and `audience`, a rate not shown is logged."""
    rate = rate_or_none(numerator, denominator, threshold=threshold)
    if rate is None and indicator and audience and denominator > 0:
        _log(
            [(tuple(key), RATE)],
            indicator=indicator,
            audience=_audience(audience),
            cite_id=cite_id,
            threshold=threshold,
        )
    return rate


def _log(
    suppressed: list[tuple[Key, str]], *, indicator: str, audience: str, cite_id: int | None, threshold: int
) -> None:
    SuppressionLog.objects.bulk_create(
        [
            SuppressionLog(
                cite_id=cite_id,
                indicator=indicator[:120],
                cell_key=list(key),
                rule=rule,
                audience=audience,
                threshold=threshold,
            )
            for key, rule in suppressed
        ],
        batch_size=500,
    )


@transaction.atomic
def set_threshold(
    *, ctx: ActingContext, audience: str, threshold: int, version: int | None = None
) -> SecrecySettings:
    """The coordinator sets the cité's threshold for an audience (at least 1; the law and CNIL practice
    suggest 11, lower only with a reason). `version` is the one the form read: a concurrent change refuses
    the edit."""
    require(ctx, "secrecy.manage")
    _audience(audience)
    if threshold < 1 or threshold > 1000:
        raise ValueError("Le seuil doit être compris entre 1 et 1000.")
    setting = (
        SecrecySettings.objects.select_for_update().filter(cite_id=ctx.cite_id, audience=audience).first()
    )
    if setting is None:
        setting = SecrecySettings.objects.create(cite_id=ctx.cite_id, audience=audience, threshold=threshold)
        audit.log(ctx, "secrecy.threshold", setting, changes={"threshold": [None, threshold]})
        return setting
    if version is not None and version != setting.version:
        raise StaleEdit("Ce seuil a été modifié entre-temps : rechargez la page.")
    old = setting.threshold
    if old != threshold:
        setting.threshold = threshold
        setting.version += 1
        setting.save(update_fields=["threshold", "version", "updated_at"])
        audit.log(ctx, "secrecy.threshold", setting, changes={"threshold": [old, threshold]})
    return setting
