"""API of the reporting domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Indicateurs et tableaux de bord"])
