"""`citemploi import_people`: import a partner's list of people (CSV or XLSX) into a cité, all or nothing.

The import is always someone's act: --user names the account it is done as. That user needs an active
membership in the cité whose role allows `beneficiary.import` (a coordinator, or a référent importing for
their own structure); the policy is checked exactly as on the web screens and the audit log names them,
with "cli" as the channel. There is deliberately no anonymous "system" mode: a list of people entering the
platform must be attributable to the person who asked for it (RGPD accountability). An operator running an
import on behalf of a coordinator uses that coordinator's e-mail address.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.accounts.models import User
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope, scope_for
from citemploi.partners.models import Membership, Structure
from citemploi.people.importing import (
    ImportFileError,
    ImportRejected,
    ImportReport,
    MappingError,
    import_people,
    parse_mapping_option,
    preview_import,
)
from citemploi.people.importing.service import ACTION
from citemploi.territory.models import Cite


class Command(BaseCommand):
    help = (
        "Importe une liste de personnes (CSV ou XLSX) dans une cité : tout ou rien. Affiche le rapport ligne "
        "par ligne ; en cas d'erreur rien n'est écrit et la commande échoue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Fichier .csv ou .xlsx à importer.")
        parser.add_argument("--cite", required=True, help="Identifiant (slug) de la cité.")
        parser.add_argument(
            "--user",
            required=True,
            help="E-mail du compte au nom duquel l'import est fait : coordinateur·rice de la cité, ou "
            "référent·e important pour sa structure. Il figure dans le journal d'accès.",
        )
        parser.add_argument(
            "--structure",
            help="Structure référente des personnes (identifiant ou SIRET) ; obligatoire pour un·e "
            "coordinateur·rice, par défaut la structure du·de la référent·e.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Vérifier le fichier sans rien écrire.")
        parser.add_argument(
            "--mapping",
            default="",
            help='Correspondance explicite des colonnes : "Titre de colonne=champ,…" (champ vide ou « - » : '
            "colonne ignorée). Complète la détection automatique.",
        )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="Ignorer les personnes déjà présentes dans la cité au lieu d'échouer.",
        )
        parser.add_argument("--sheet", help="Feuille du classeur XLSX à lire (par défaut la première).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        cite = Cite.objects.filter(slug=options["cite"]).first()
        if cite is None:
            raise CommandError(f"Cité inconnue : {options['cite']}")
        structure = _structure(cite, options["structure"]) if options["structure"] else None
        ctx = _acting_context(options["user"], cite, structure)
        kwargs: dict[str, Any] = {
            "ctx": ctx,
            "source": path,
            "filename": path.name,
            "structure": structure,
            "skip_existing": options["skip_existing"],
            "sheet": options["sheet"] or None,
        }
        try:
            kwargs["explicit_mapping"] = parse_mapping_option(options["mapping"])
            if options["dry_run"]:
                report = preview_import(**kwargs)
                self._print(report)
                if report.has_errors:
                    raise CommandError(
                        f"{report.in_error} ligne(s) en erreur. Simulation : rien n'a été écrit."
                    )
                self.stdout.write("Simulation : rien n'a été écrit.")
                return
            result = import_people(**kwargs)
        except ImportRejected as rejected:
            self._print(rejected.report)
            raise CommandError(str(rejected)) from rejected
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        except MappingError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} personne(s) importée(s) pour « {result.structure} »"
                + (f", {result.skipped} déjà présente(s) ignorée(s)" if result.skipped else "")
                + "."
            )
        )

    def _print(self, report: ImportReport) -> None:
        where = f" (feuille « {report.sheet} »)" if report.sheet else ""
        self.stdout.write(f"Fichier : {report.filename}{where}")
        self.stdout.write("Colonnes : " + ", ".join(f"« {c} » → {f}" for c, f in report.mapped_columns))
        for issue in report.issues:
            column = f", colonne « {issue.column} »" if issue.column else ""
            value = f", valeur « {issue.value} »" if issue.value else ""
            self.stdout.write(f"Ligne {issue.line}{column}{value} : {issue.message}")
        if report.omitted_issues:
            self.stdout.write(f"… et {report.omitted_issues} autre(s) anomalie(s) non listée(s).")
        self.stdout.write(
            f"À créer : {report.to_create} ; déjà présentes, ignorées : {report.to_skip} ; "
            f"en erreur : {report.in_error} (sur {report.lines} ligne(s))."
        )


def _structure(cite: Cite, value: str) -> Structure:
    """A structure by identifier or SIRET (14 digits), among the partners of the cité first."""
    value = value.strip().replace(" ", "")
    if len(value) == 14 and value.isdigit():
        matches = list(Structure.objects.filter(siret=value))
        partners = [s for s in matches if s.partnerships.filter(cite=cite).exists()]
        matches = partners or matches
        if len(matches) > 1:
            raise CommandError(f"Plusieurs structures ont le SIRET {value} : donnez son identifiant.")
        if matches:
            return matches[0]
        raise CommandError(f"Aucune structure n'a le SIRET {value}.")
    if value.isdigit():
        structure = Structure.objects.filter(pk=int(value)).first()
        if structure is not None:
            return structure
    raise CommandError(f"Structure inconnue : {value} (identifiant ou SIRET attendu).")


def _acting_context(email: str, cite: Cite, structure: Structure | None) -> ActingContext:
    """The user's membership in the cité that allows the import, preferring one of the given structure."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise CommandError(f"Aucun compte actif pour {email}.")
    memberships = [
        m
        for m in Membership.objects.filter(user=user, cite=cite, is_active=True).select_related(
            "cite", "structure"
        )
        if scope_for(m.role, ACTION) != Scope.NONE
    ]
    if not memberships:
        raise CommandError(
            f"{email} n'a aucun rôle permettant d'importer des personnes dans la cité « {cite} » "
            "(coordinateur·rice ou référent·e)."
        )

    def preference(m: Membership) -> tuple[bool, bool]:
        own = structure is not None and m.structure_id == structure.pk
        return (not own, scope_for(m.role, ACTION) != Scope.CITE)

    membership = sorted(memberships, key=lambda m: (*preference(m), m.pk))[0]
    return ActingContext(user=user, membership=membership, via="cli")
