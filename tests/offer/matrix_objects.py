"""Objects of the offer screens for the generated permission matrix (tests/core/test_policy_matrix.py)."""

from tests.offer.factories import ServiceFactory


def url_kwargs(name: str, keys: set[str], world, person) -> dict | None:
    if not name.startswith("offer:"):
        return None
    kwargs: dict = {}
    if "pk" in keys:
        # A France Travail service: in reach of every role of the cité, editable by its coordinator and by
        # France Travail's référent and member (the personas acting for a structure with edit rights).
        kwargs["pk"] = ServiceFactory(structure=world.ft, themes=["mobilite--preparer-un-permis"]).pk
    if "kind" in keys:
        kwargs["kind"] = "services"
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    return kwargs
