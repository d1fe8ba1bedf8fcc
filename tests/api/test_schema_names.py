"""Two domains must never publish different API schemas under one name.

django-ninja names every schema and enum of the OpenAPI document after its Python class; when two modules
declare classes with the same name, one silently replaces the other in the document (clients and the
schemathesis run then check responses against the wrong schema). This test walks every operation's input
and output models and fails on such a collision.
"""

import enum
import typing
from collections import defaultdict

from pydantic import BaseModel

from citemploi.api.urls import api


def _operations():
    def walk(router):
        for path_view in router.path_operations.values():
            yield from path_view.operations
        for _prefix, child in getattr(router, "_routers", []):
            yield from walk(child)

    for _prefix, router in api._routers:
        yield from walk(router)


def _types_in(annotation, seen: set) -> typing.Iterator[type]:
    if annotation is None or id(annotation) in seen:
        return
    seen.add(id(annotation))
    for arg in typing.get_args(annotation):
        yield from _types_in(arg, seen)
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            yield annotation
        elif issubclass(annotation, BaseModel):
            yield annotation
            for field in annotation.model_fields.values():
                yield from _types_in(field.annotation, seen)


def _is_generated(cls: type) -> bool:
    # ninja's per-operation wrappers (NinjaResponseSchema, QueryParams, BodyParams…) are not published as
    # named components
    return not cls.__module__.startswith("citemploi.") and cls.__module__ != "__main__"


def test_no_two_api_schemas_share_a_name():
    operations = list(_operations())
    assert len(operations) > 80
    by_name: dict[str, set[str]] = defaultdict(set)
    seen: set = set()
    for op in operations:
        models = list(op.models) + list(op.response_models.values())
        for model in models:
            for cls in _types_in(model, seen):
                if not _is_generated(cls):
                    by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    collisions = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not collisions, f"Schemas published twice under one name: {collisions}"
