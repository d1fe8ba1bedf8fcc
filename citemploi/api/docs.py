"""The documentation page of the API (/api/v1/docs), rendered on the server from the OpenAPI document.

ninja's default page loads Swagger UI from a CDN, which the site's CSP forbids and which does not work
offline: this page needs no script of its own and no login.
"""

import json
import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from ninja import NinjaAPI

from citemploi.api.base import STATUS_LABELS
from citemploi.core.policy import POLICY, Role, Scope

METHOD_ORDER = ["get", "post", "put", "patch", "delete"]
METHOD_BADGES = {"get": "info", "post": "success", "put": "warning", "patch": "warning", "delete": "error"}


SCOPE_LABELS = {
    Scope.ALL: "toutes les cités",
    Scope.CITE: "la cité",
    Scope.STRUCTURE: "les personnes suivies par sa structure (référente, ou membre du groupe de suivi avec "
    "consentement au partage)",
    Scope.RESPONSIBLE_STRUCTURE: "les personnes dont sa structure est référente",
    Scope.RESPONSIBLE: "les personnes dont on est le·la référent·e",
    Scope.OWN_STRUCTURE: "sa propre structure",
}

LOCATION_LABELS = {"path": "chemin", "query": "requête", "header": "en-tête"}

#: values used in the examples of the page when the schema gives none
PATH_EXAMPLES = {"code": "QN08003M"}


def rich(text: str) -> SafeString:
    """Text of the OpenAPI document as HTML: escaped, with `code` spans."""
    escaped = str(escape(text or ""))
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))  # noqa: S308 - escaped above


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _bounds(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None and high < 2**62:
        return f" de {low} à {high}"
    if low is not None:
        return f" ≥ {low}"
    if high is not None:
        return f" ≤ {high}"
    return ""


def type_label(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A French label for a JSON schema, and the name of the schema it refers to (if any)."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return name, name
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = [type_label(s) for s in schema[key] if s.get("type") != "null"]
            nullable = any(s.get("type") == "null" for s in schema[key])
            label = " ou ".join(p[0] for p in parts) + (" ou null" if nullable else "")
            ref = next((p[1] for p in parts if p[1]), None)
            return label, ref
    if "enum" in schema:
        return "une valeur parmi : " + ", ".join(f"« {v} »" for v in schema["enum"]), None
    kind = schema.get("type")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "date (AAAA-MM-JJ)", None
        if fmt == "date-time":
            return "date et heure (ISO 8601)", None
        label = "texte"
        if schema.get("maxLength") is not None:
            label += f" ({schema.get('minLength', 0)} à {schema['maxLength']} caractères)"
        if schema.get("pattern"):
            label += f", motif {schema['pattern']}"
        return label, None
    if kind == "integer":
        return "entier" + _bounds(schema), None
    if kind == "number":
        return "nombre" + _bounds(schema), None
    if kind == "boolean":
        return "booléen (true ou false)", None
    if kind == "array":
        label, ref = type_label(schema.get("items", {}))
        extra = f", au plus {schema['maxItems']}" if "maxItems" in schema else ""
        return f"liste de {label}{extra}", ref
    if kind == "object":
        return "objet", None
    return "valeur", None


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """An example value: the schema's own example, or one made from its type."""
    if depth > 4:
        return None
    if "$ref" in schema:
        return _example(components.get(_ref_name(schema["$ref"]), {}), components, depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, depth + 1) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {
            name: _example(prop, components, depth + 1)
            for name, prop in properties.items()
            if name in required or "examples" in prop or "example" in prop
        }
    if kind == "array":
        return [_example(schema.get("items", {}), components, depth + 1)]
    if kind == "string":
        return {"date": "2024-03-01", "date-time": "2024-03-01T09:30:00+01:00"}.get(
            schema.get("format", ""), "…"
        )
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if "minimum" in schema else 1
    if kind == "boolean":
        return False
    return None


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        label, ref = type_label(prop)
        rows.append(
            {
                "name": name,
                "type": label,
                "ref": ref,
                "required": name in required,
                "description": rich(prop.get("description", "")),
            }
        )
    return rows


def _roles(action: str) -> list[str]:
    return [
        f"{Role(role).label} : {SCOPE_LABELS.get(scope, scope)}" for role, scope in POLICY[action].items()
    ]


def _curl(method: str, url: str, body: Any) -> str:
    lines = [f'curl -X {method.upper()} "{url}"', '  -H "Authorization: Bearer $CITEMPLOI_JETON"']
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).replace("'", "'\\''")
        lines += ['  -H "Content-Type: application/json"', f"  -d '{payload}'"]
    return " \\\n".join(lines)


def _operation(method: str, path: str, op: dict[str, Any], components: dict[str, Any], origin: str) -> dict:
    parameters, url_path, query = [], path, []
    for param in op.get("parameters", []):
        schema = param.get("schema", {})
        label, ref = type_label(schema)
        parameters.append(
            {
                "name": param["name"],
                "location": LOCATION_LABELS.get(param["in"], param["in"]),
                "required": param.get("required", False),
                "type": label,
                "ref": ref,
                "description": rich(param.get("description") or schema.get("description", "")),
            }
        )
        if param["in"] == "path":
            value = param.get("example", PATH_EXAMPLES.get(param["name"], 1))
            url_path = url_path.replace("{" + param["name"] + "}", str(value))
        elif param["name"] == "limit":
            query.append("limit=25")
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    body_example, body_label, body_ref = None, None, None
    if body_schema is not None:
        body_label, body_ref = type_label(body_schema)
        body_example = _example(body_schema, components)
    responses = []
    for status, response in op.get("responses", {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        label, ref = type_label(schema) if schema else ("—", None)
        responses.append(
            {"status": status, "label": STATUS_LABELS.get(int(status), ""), "type": label, "ref": ref}
        )
    url = origin + url_path + ("?" + "&".join(query) if query else "")
    action = op.get("x-citemploi-action", "")
    return {
        "id": op.get("operationId", f"{method}-{path}"),
        "method": method.upper(),
        "badge": METHOD_BADGES.get(method, "info"),
        "path": path,
        "summary": op.get("summary", ""),
        "description": rich(op.get("description", "")),
        "action": action,
        "roles": _roles(action) if action in POLICY else [],
        "parameters": parameters,
        "body_label": body_label,
        "body_ref": body_ref,
        "body_example": json.dumps(body_example, ensure_ascii=False, indent=2) if body_schema else "",
        "responses": responses,
        "curl": _curl(method, url, body_example),
    }


def docs_context(schema: dict[str, Any], origin: str) -> dict[str, Any]:
    components = schema.get("components", {}).get("schemas", {})
    tags: dict[str, list[dict]] = {}
    for path, methods in schema.get("paths", {}).items():
        for method in sorted(methods, key=lambda m: METHOD_ORDER.index(m) if m in METHOD_ORDER else 99):
            op = methods[method]
            tag = (op.get("tags") or ["Autres"])[0]
            tags.setdefault(tag, []).append(_operation(method, path, op, components, origin))
    schemas = []
    for name in sorted(components):
        component = components[name]
        schemas.append(
            {
                "name": name,
                "description": rich(component.get("description", "")),
                "enum": component.get("enum"),
                "fields": _fields(component),
            }
        )
    return {
        "info": schema.get("info", {}),
        "description": rich(schema.get("info", {}).get("description", "")),
        "groups": [
            {"name": name, "slug": f"groupe-{i}", "operations": ops}
            for i, (name, ops) in enumerate(tags.items())
        ],
        "schemas": schemas,
        "origin": origin,
    }


@login_not_required
def docs_view(request: HttpRequest, api: NinjaAPI) -> HttpResponse:
    schema = api.get_openapi_schema()
    origin = f"{request.scheme}://{request.get_host()}"
    context = docs_context(dict(schema), origin)
    context["openapi_url"] = api.get_root_path({}) + "openapi.json"
    return render(request, "api/docs.html", context)
