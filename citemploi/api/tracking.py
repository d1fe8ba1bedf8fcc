"""API of the tracking domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Suivi : journal, sorties et maintien dans l'emploi"])
