"""Scores of the reviewers and their agreement, as pure functions.

- A review's **total** is on 100: each criterion counts `weight × score / max_score`; the sum over the
  ordinary criteria is scaled so that full marks make 100; bonus criteria add their points on the same
  scale on top (a file with every mark and the bonus goes over 100).
- Per file, the **spread** is the gap between the highest and the lowest total of the submitted reviews;
  it is flagged when it exceeds the call's threshold (20 points by default).
- Per criterion, the **gap** is the difference between the highest and the lowest score given;
  **agreement** is 1 − gap / max_score (1: the reviewers agree, 0: they are at opposite ends); a
  criterion is flagged when the gap reaches the call's threshold (2 points by default).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    label: str
    weight: Decimal
    max_score: int
    is_bonus: bool = False


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def total(criteria: list[CriterionSpec], scores: dict[int, int]) -> Decimal:
    """The total on 100 of one review (criteria without a score count 0)."""
    base_weight = sum((c.weight for c in criteria if not c.is_bonus), Decimal(0))
    if base_weight <= 0:
        return Decimal(0)
    points = sum(
        (c.weight * Decimal(scores.get(c.id, 0)) / Decimal(c.max_score) for c in criteria), Decimal(0)
    )
    return _q(points * 100 / base_weight)


@dataclass(frozen=True)
class CriterionAgreement:
    criterion: CriterionSpec
    scores: tuple[int, ...]
    gap: int
    agreement: Decimal
    mean: Decimal | None
    flagged: bool


@dataclass(frozen=True)
class FileAgreement:
    totals: tuple[Decimal, ...]
    mean: Decimal | None
    spread: Decimal
    flagged: bool
    criteria: tuple[CriterionAgreement, ...] = field(default_factory=tuple)

    @property
    def reviews(self) -> int:
        return len(self.totals)

    @property
    def any_flag(self) -> bool:
        return self.flagged or any(c.flagged for c in self.criteria)


def agreement(
    criteria: list[CriterionSpec],
    reviews: list[dict[int, int]],
    *,
    spread_threshold: Decimal = Decimal(20),
    gap_threshold: int = 2,
) -> FileAgreement:
    """The agreement of the submitted reviews of one file (one dict criterion id → score per review)."""
    totals = tuple(total(criteria, r) for r in reviews)
    mean = _q(sum(totals, Decimal(0)) / len(totals)) if totals else None
    spread = (max(totals) - min(totals)) if totals else Decimal(0)
    per_criterion = []
    for c in criteria:
        given = tuple(r[c.id] for r in reviews if c.id in r)
        gap = (max(given) - min(given)) if given else 0
        per_criterion.append(
            CriterionAgreement(
                criterion=c,
                scores=given,
                gap=gap,
                agreement=(Decimal(1) - Decimal(gap) / Decimal(c.max_score)).quantize(Decimal("0.01")),
                mean=_q(Decimal(sum(given)) / len(given)) if given else None,
                flagged=len(given) > 1 and gap >= gap_threshold,
            )
        )
    return FileAgreement(
        totals=totals,
        mean=mean,
        spread=spread,
        flagged=len(totals) > 1 and spread > spread_threshold,
        criteria=tuple(per_criterion),
    )
