"""API of the pathways domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Parcours : diagnostic, plan d'action, passage de relais"])
