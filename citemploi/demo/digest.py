"""A digest of the demo data, to check that the same seed gives the same data.

Rows are described by natural keys (a cité by its slug, a QPV by its code, a user by e-mail, a person by
cité and identity key...), without database ids nor timestamps, then sorted and hashed: two builds with
the same seed and reference date give the same digest, whatever ids the database handed out.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q

from citemploi.accounts.models import User
from citemploi.core.models import AuditEvent
from citemploi.demo.builder import DEMO_ACTOR_LABEL
from citemploi.partners.models import Membership, Partnership, Structure
from citemploi.people.models import Beneficiary, Consent, FollowUpMember, SensitiveInfo
from citemploi.territory.models import QPV, Cite, Commune

#: how a row of each model is named in the digest
NATURAL_KEYS: dict[type[models.Model], str] = {
    Cite: "slug",
    QPV: "code",
    Commune: "insee_code",
    Structure: "name",
    User: "email",
    Beneficiary: "identity_key",
}
#: audit codes whose recorded changes name rows by natural keys; the other domains' audit rows (calls,
#: cohorts, pathways…) record database ids in their changes, which differ between builds on PostgreSQL
#: (sequences are not rolled back): only their code, actor and person are compared
NATURAL_AUDIT_CODES = ("membership.", "consent.", "followup.", "beneficiary.", "structure.", "partnership.")
#: ids, timestamps and secrets: not data the seed decides
LEFT_OUT = frozenset(
    {"id", "created_at", "updated_at", "recorded_at", "added_at", "password", "last_login", "date_joined"}
)


def _values(qs: models.QuerySet[Any], extra: Iterable[str] = (), left_out: Iterable[str] = ()) -> list[dict]:
    names: list[str] = []
    skip = LEFT_OUT | set(left_out)
    for field in qs.model._meta.concrete_fields:
        if field.name in skip:
            continue
        if field.is_relation and field.related_model is not None:
            related: Any = field.related_model
            names.append(f"{field.name}__{NATURAL_KEYS[related]}")
        else:
            names.append(field.name)
    return list(qs.values(*names, *extra))


def demo_rows(cite_slugs: Iterable[str] | None = None) -> list[str]:
    """The rows of the given cités (every cité by default) and of the national memberships, as sorted
    JSON lines."""
    cites = Cite.objects.all() if cite_slugs is None else Cite.objects.filter(slug__in=list(cite_slugs))
    cite_ids = list(cites.values_list("pk", flat=True))
    memberships = Membership.objects.filter(Q(cite_id__in=cite_ids) | Q(role="national"))
    people = Beneficiary.objects.filter(cite_id__in=cite_ids)
    keys = dict(people.values_list("pk", "identity_key"))
    structures = Structure.objects.filter(partnerships__cite_id__in=cite_ids).distinct()
    tables: dict[str, list[dict]] = {
        "cite": _values(cites),
        "cite.communes": [dict(row) for row in cites.values("slug", "communes__insee_code")],
        "cite.qpvs": [dict(row) for row in cites.values("slug", "qpvs__code")],
        "qpv": _values(QPV.objects.filter(cites__in=cite_ids).distinct()),
        "structure": _values(structures, left_out=["version"]),
        "partnership": _values(Partnership.objects.filter(cite_id__in=cite_ids), extra=["qpvs__code"]),
        "user": _values(User.objects.filter(memberships__in=memberships).distinct()),
        "membership": _values(memberships),
        "beneficiary": _values(people, extra=["cite__slug"]),
        "sensitive": _values(
            SensitiveInfo.objects.filter(beneficiary__in=people), extra=["beneficiary__cite__slug"]
        ),
        "consent": _values(Consent.objects.filter(beneficiary__in=people), extra=["beneficiary__cite__slug"]),
        "followup": _values(
            FollowUpMember.objects.filter(beneficiary__in=people), extra=["beneficiary__cite__slug"]
        ),
    }
    events = AuditEvent.objects.filter(Q(cite_id__in=cite_ids) | Q(actor_label=DEMO_ACTOR_LABEL))
    tables["audit"] = [
        row
        | {"beneficiary_id": keys.get(row["beneficiary_id"])}
        | ({} if row["code"].startswith(NATURAL_AUDIT_CODES) else {"changes": None})
        for row in _values(events, left_out=["object_id"])
    ]
    return sorted(
        json.dumps([table, row], sort_keys=True, default=str, ensure_ascii=False)
        for table, rows in tables.items()
        for row in rows
    )


def demo_digest(cite_slugs: Iterable[str] | None = None) -> str:
    """SHA-256 of `demo_rows`."""
    digest = hashlib.sha256()
    for line in demo_rows(cite_slugs):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()
