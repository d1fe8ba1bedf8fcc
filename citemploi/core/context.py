"""The acting context: who acts, for which cité and structure, with which role."""

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citemploi.core.policy import Scope, scope_for

if TYPE_CHECKING:
    from citemploi.accounts.models import User
    from citemploi.partners.models import Membership, Structure
    from citemploi.territory.models import Cite

#: how to know the cité the current request acts in, should it write (set by CurrentContextMiddleware; read by
#: citemploi.reporting.freshness to tell which cité's figures a write changes). None outside a request.
acting_cite_resolver: contextvars.ContextVar[Callable[[], int | None] | None] = contextvars.ContextVar(
    "citemploi_acting_cite", default=None
)


@dataclass(frozen=True)
class ActingContext:
    user: "User"
    membership: "Membership | None"
    via: str = "web"

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def cite(self) -> "Cite | None":
        return self.membership.cite if self.membership else None

    @property
    def cite_id(self) -> int | None:
        return self.membership.cite_id if self.membership else None

    @property
    def structure(self) -> "Structure | None":
        return self.membership.structure if self.membership else None

    @property
    def structure_id(self) -> int | None:
        return self.membership.structure_id if self.membership else None

    def scope(self, action: str) -> Scope:
        return scope_for(self.role, action)

    def can(self, action: str) -> bool:
        return self.scope(action) != Scope.NONE
