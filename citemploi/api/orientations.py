"""API of the orientations domain."""

from citemploi.api.base import PolicyRouter

router = PolicyRouter(tags=["Orientations en boucle fermée"])
