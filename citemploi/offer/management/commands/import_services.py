"""`citemploi import_services PATH`: import data·inclusion files (services, structures) into a cité.

PATH is a services file (.json or .csv) or a folder holding services.json|csv and structures.json|csv. The import
is someone's act: --user names the account it is done as (a coordinator of the cité, or a référent or member
importing their own structure's services); the policy applies as on the upload screen and the audit log names
them. All or nothing: one record in error and nothing is written (see docs/import-services.md).
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.offer.importing import (
    ImportFileError,
    ImportRejected,
    ImportReport,
    UploadedFile,
    import_services,
    preview_import,
)
from citemploi.partners.models import Membership, Structure
from citemploi.territory.models import Cite

#: issues printed before "… et N autres"
MAX_ISSUES_SHOWN = 200


def _files(path: Path, structures: str | None) -> tuple[UploadedFile, UploadedFile | None]:
    services_path, structures_path = path, Path(structures) if structures else None
    if path.is_dir():
        found = {p.stem: p for p in sorted(path.iterdir()) if p.suffix.lower() in (".json", ".csv")}
        if "services" not in found:
            raise CommandError(f"Ni services.json ni services.csv dans {path}.")
        services_path = found["services"]
        structures_path = structures_path or found.get("structures")
    if not services_path.is_file():
        raise CommandError(f"Fichier introuvable : {services_path}")
    if structures_path is not None and not structures_path.is_file():
        raise CommandError(f"Fichier introuvable : {structures_path}")
    return (
        UploadedFile.from_path(services_path),
        UploadedFile.from_path(structures_path) if structures_path else None,
    )


def _acting(email: str, cite: Cite) -> ActingContext:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise CommandError(f"Aucun compte actif pour {email}.")
    memberships = [
        m
        for m in Membership.objects.filter(user=user, cite=cite, is_active=True).select_related("structure")
        if ActingContext(user=user, membership=m).can("service.import")
    ]
    if not memberships:
        raise CommandError(f"{email} n'a pas de rôle permettant d'importer des services dans {cite}.")
    # A coordinator's membership wins: it reaches the whole cité.
    memberships.sort(key=lambda m: m.role != "coordinator")
    return ActingContext(user=user, membership=memberships[0], via="cli")


class Command(BaseCommand):
    help = (
        "Importe des fichiers data·inclusion v1 (services et structures, JSON ou CSV) dans une cité : tout ou "
        "rien, rejouable. Affiche le rapport ligne par ligne."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="Fichier des services (.json, .csv) ou dossier services.* + structures.*"
        )
        parser.add_argument("--structures", help="Fichier des structures (.json, .csv).")
        parser.add_argument("--cite", required=True, help="Identifiant (slug) de la cité.")
        parser.add_argument(
            "--user",
            required=True,
            help="E-mail du compte au nom duquel l'import est fait (coordination, ou membre d'une structure "
            "pour ses propres services).",
        )
        parser.add_argument(
            "--structure",
            help="Rattacher tous les services à cette structure (identifiant ou SIRET), au lieu de celle "
            "que donne le fichier.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Vérifier les fichiers sans rien écrire.")

    def handle(self, *args: Any, **options: Any) -> None:
        cite = Cite.objects.filter(slug=options["cite"]).first()
        if cite is None:
            raise CommandError(f"Cité inconnue : {options['cite']}")
        services_file, structures_file = _files(Path(options["path"]), options["structures"])
        ctx = _acting(options["user"], cite)
        structure = None
        if options["structure"]:
            key = options["structure"].strip()
            partners = Structure.objects.filter(partnerships__cite=cite)
            structure = (
                partners.filter(pk=int(key)).first() if key.isdigit() and len(key) != 14 else None
            ) or partners.filter(siret=key).first()
            if structure is None:
                raise CommandError(f"Structure inconnue dans {cite} : {key}")
        kwargs: dict[str, Any] = {
            "ctx": ctx,
            "services_file": services_file,
            "structures_file": structures_file,
            "structure": structure,
        }
        try:
            if options["dry_run"]:
                report = preview_import(**kwargs)
                self._print(report)
                if report.has_errors:
                    raise CommandError(
                        f"{report.in_error} enregistrement(s) en erreur. Simulation : rien n'a été écrit."
                    )
                self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")
                return
            report = import_services(**kwargs)
        except ImportRejected as rejected:
            self._print(rejected.report)
            raise CommandError(str(rejected)) from rejected
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self._print(report)
        self.stdout.write(self.style.SUCCESS("Import terminé."))

    def _print(self, report: ImportReport) -> None:
        files = report.services_filename + (
            f" + {report.structures_filename}" if report.structures_filename else ""
        )
        self.stdout.write(f"Fichiers : {files}")
        for issue in report.issues[:MAX_ISSUES_SHOWN]:
            where = f"{issue.file_label}, {'ligne' if issue.line else ''} {issue.line}".strip()
            ident = f" [{issue.ident}]" if issue.ident else ""
            field = f" {issue.field}" if issue.field else ""
            value = f" « {issue.value} »" if issue.value else ""
            level = "erreur" if issue.is_error else "info"
            self.stdout.write(f"  {where}{ident}{field}{value} : {issue.message} ({level})")
        if len(report.issues) > MAX_ISSUES_SHOWN:
            self.stdout.write(f"  … et {len(report.issues) - MAX_ISSUES_SHOWN} autre(s).")
        self.stdout.write(
            f"Services : {report.to_create} à créer, {report.to_update} à mettre à jour, "
            f"{report.unchanged} inchangé(s), {report.skipped} ignoré(s) (plus récents dans citemploi)."
        )
        new = report.structures_to_create
        if new:
            self.stdout.write(
                f"Structures ajoutées au partenariat : {len(new)} ({', '.join(s.name for s in new[:10])}"
                + ("…" if len(new) > 10 else "")
                + ")."
            )
