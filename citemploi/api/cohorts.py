"""API of the cohorts domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Cohortes et commission"])
