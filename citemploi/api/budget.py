"""API of the budget domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Budget de la cité"])
