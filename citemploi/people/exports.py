"""Exports of personal data: the lists a user may see, and a person's right-of-access file."""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent
from citemploi.core.spreadsheets import XLSX_TYPE, download, table_response, xlsx_bytes
from citemploi.people import lifecycle, queries
from citemploi.people.models import Beneficiary, SensitiveInfo

LIST_COLUMNS = [
    ("Identifiant", lambda ctx, b: b.pk),
    ("Nom", lambda ctx, b: b.last_name),
    ("Prénom", lambda ctx, b: b.first_name),
    ("Date de naissance", lambda ctx, b: b.birth_date),
    ("Tranche d'âge", lambda ctx, b: b.get_age_band_display()),
    ("Genre", lambda ctx, b: b.get_gender_display()),
    ("E-mail", lambda ctx, b: b.email),
    ("Téléphone", lambda ctx, b: b.phone),
    ("QPV", lambda ctx, b: b.qpv.code if b.qpv else ""),
    ("Structure référente", lambda ctx, b: queries.responsible_structure_label(ctx, b)),
    ("Canal de repérage", lambda ctx, b: b.get_reperage_channel_display()),
    ("Invisible au repérage", lambda ctx, b: b.invisible_at_identification),
    ("Date de repérage", lambda ctx, b: b.identified_on),
]


def beneficiaries_response(ctx: ActingContext, rows: list[Beneficiary], fmt: str) -> HttpResponse:
    """The list of people a user may see, as CSV or XLSX. No sensitive attribute is ever exported here."""
    header = [c for c, _ in LIST_COLUMNS]
    data = [[fn(ctx, b) for _, fn in LIST_COLUMNS] for b in rows]
    stem = f"personnes-{timezone.localdate().isoformat()}"
    return table_response(stem, fmt, header, data)


IDENTITY_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
    "qpv_evidence_method",
    "qpv_evidence_date",
    "qpv_list_version",
    "education_level",
    "employment_status",
    "ft_registered",
    "spe_followed",
    "invisible_at_identification",
    "rsa",
    "ass",
    "cej",
    "single_parent",
    "children_count",
    "french_level",
    "digital_autonomy",
    "driving_licence",
    "has_vehicle",
    "reperage_channel",
    "identified_on",
    "created_at",
    "updated_at",
]


def right_of_access_data(ctx: ActingContext, b: Beneficiary) -> dict:
    """Everything the platform holds about the person, and who read or changed their file (RGPD art. 15).

    Sensitive attributes are included: the file is handed to the person themself.
    """
    info = SensitiveInfo.objects.filter(beneficiary=b).first()
    events = AuditEvent.objects.filter(beneficiary_id=b.pk).order_by("created_at", "id")
    list_reads = AuditEvent.objects.filter(subjects__beneficiary_id=b.pk).order_by("created_at", "id")
    return {
        "generated_at": timezone.now(),
        "cite": b.cite.name,
        "person": {name: getattr(b, name) for name in IDENTITY_FIELDS}
        | {
            "qpv": str(b.qpv) if b.qpv else None,
            "responsible_structure": b.responsible_structure.name,
            "referent": str(b.referent) if b.referent else None,
        },
        "sensitive": {name: getattr(info, name) for name in SensitiveInfo.SENSITIVE_FIELDS} if info else {},
        "consents": [
            {
                "scope": c.get_scope_display(),
                "method": c.get_method_display(),
                "given_on": c.given_on,
                "recorded_by": str(c.recorded_by) if c.recorded_by else None,
                "withdrawn_on": c.withdrawn_on,
            }
            for c in b.consents.all()
        ],
        "followup_group": [
            {"structure": m.structure.name, "role": m.role, "added_at": m.added_at, "ended_at": m.ended_at}
            for m in b.followup_members.select_related("structure")
        ],
        # Every other domain's part (journal, outcomes, barriers, plan, orientations, cohorts, events).
        "domains": lifecycle.export_all(ctx, b),
        "access_log": [
            {
                "when": e.created_at,
                "who": e.actor_label,
                "role": e.actor_role,
                "action": e.code,
                "fields": sorted((e.changes or {}).keys()) if e.code.endswith("update") else [],
            }
            for e in [*events, *list_reads]
        ],
    }


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return "" if value is None else value


def _flat_rows(sections: dict[str, list[dict[str, Any]]]) -> Iterator[list[Any]]:
    """One spreadsheet row per field of every item of every section of a domain's part."""
    for section, items in sections.items():
        for number, item in enumerate(items, start=1):
            for field, value in item.items():
                yield [section, number, field, _cell(value)]


def right_of_access_response(ctx: ActingContext, b: Beneficiary, fmt: str) -> HttpResponse:
    data = right_of_access_data(ctx, b)
    audit.log(ctx, "beneficiary.right_of_access", b, beneficiary_id=b.pk, changes={"format": fmt})
    stem = f"droit-d-acces-{b.pk}-{date.today().isoformat()}"
    if fmt == "json":
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
        return download(body, f"{stem}.json", "application/json")
    if fmt == "xlsx":
        person = data["person"]
        sheets = {
            "Données": (
                ["Champ", "Valeur"],
                [[k, str(v) if v is not None else ""] for k, v in person.items()],
            ),
            "Données sensibles": (["Champ", "Valeur"], [[k, v] for k, v in data["sensitive"].items()]),
            "Consentements": (
                ["Objet", "Recueil", "Date", "Recueilli par", "Retrait"],
                [
                    [c["scope"], c["method"], c["given_on"], c["recorded_by"], c["withdrawn_on"]]
                    for c in data["consents"]
                ],
            ),
            "Groupe de suivi": (
                ["Structure", "Rôle", "Ajoutée le", "Retirée le"],
                [[m["structure"], m["role"], m["added_at"], m["ended_at"]] for m in data["followup_group"]],
            ),
            "Accès à la fiche": (
                ["Date", "Qui", "Rôle", "Action", "Champs modifiés"],
                [
                    [e["when"], e["who"], e["role"], e["action"], ", ".join(e["fields"])]
                    for e in data["access_log"]
                ],
            ),
        }
        # Every domain's sheet comes before the access log, which stays the last sheet.
        access_log = sheets.pop("Accès à la fiche")
        for part in data["domains"].values():
            sheets[part["label"][:31]] = (
                ["Rubrique", "N°", "Champ", "Valeur"],
                list(_flat_rows(part["data"])),
            )
        sheets["Accès à la fiche"] = access_log
        return download(xlsx_bytes(sheets), f"{stem}.xlsx", XLSX_TYPE)
    raise Http404("Format inconnu.")
