"""URL keyword arguments of the pathways screens for the permission matrix (tests/core/test_policy_matrix.py)."""

from tests.pathways.helpers import action, barrier, objective


def url_kwargs(name: str, keys: set[str], world, person) -> dict | None:
    if not name.startswith("pathways:"):
        return None
    kwargs = {"pk": person.pk}
    if "barrier_pk" in keys:
        kwargs["barrier_pk"] = barrier(world, person).pk
    if "objective_pk" in keys:
        kwargs["objective_pk"] = objective(world, person).pk
    if "action_pk" in keys:
        kwargs["action_pk"] = action(world, objective(world, person)).pk
    return kwargs
