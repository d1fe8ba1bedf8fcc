"""API of the diagnostic domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Diagnostic partagé"])
