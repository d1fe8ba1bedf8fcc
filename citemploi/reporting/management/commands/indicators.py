"""`citemploi indicators --cite SLUG --from DATE --to DATE [--format json|table] [--cut …]`: the indicators of a
cité for a period, for scripts; `--all-cites` instead of `--cite` computes them over every cité at once (the
national figures, `--cut cite` to see each cité). Exact figures: whoever runs it on the server already reaches
the database."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.reporting.indicators import REGISTRY, Cut, Period, PeriodError, Query, compute_all
from citemploi.reporting.templatetags.figures import french_number
from citemploi.territory.models import Cite

CUTS = [c.value for c in Cut if c is not Cut.NONE]


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} : date invalide « {value} » (format AAAA-MM-JJ attendu).") from exc


class Command(BaseCommand):
    help = "Affiche les indicateurs d'une cité pour une période (JSON ou tableau)."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--cite", help="identifiant (slug) de la cité")
        scope.add_argument(
            "--all-cites",
            action="store_true",
            help="toutes les cités ensemble (chiffres nationaux ; --cut cite pour le détail par cité)",
        )
        parser.add_argument(
            "--from", dest="start", required=True, help="début de la période (AAAA-MM-JJ, inclus)"
        )
        parser.add_argument("--to", dest="end", required=True, help="fin de la période (AAAA-MM-JJ, incluse)")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--cut", choices=CUTS, default=None, help="ventilation des chiffres")
        parser.add_argument(
            "--indicator", action="append", default=None, help="code d'indicateur (répétable)"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["all_cites"]:
            cite_ids = tuple(Cite.objects.order_by("pk").values_list("pk", flat=True))
            if not cite_ids:
                raise CommandError("Aucune cité dans la base.")
            scope_slug, scope_name = "*", "Toutes les cités"
        else:
            cite = Cite.objects.filter(slug=options["cite"]).first()
            if cite is None:
                known = ", ".join(Cite.objects.order_by("slug").values_list("slug", flat=True)) or "aucune"
                raise CommandError(f"Cité inconnue : « {options['cite']} » (cités connues : {known}).")
            cite_ids, scope_slug, scope_name = (cite.pk,), cite.slug, cite.name
        start = _date(str(options["start"]), "--from")
        end = _date(str(options["end"]), "--to")
        try:
            period = Period(start, end)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        codes = options["indicator"]
        if codes:
            unknown = [c for c in codes if c not in REGISTRY]  # type: ignore[union-attr]
            if unknown:
                raise CommandError(f"Indicateur inconnu : {', '.join(unknown)}.")
        cut = Cut(str(options["cut"])) if options["cut"] else Cut.NONE
        tables = compute_all(Query(cite_ids, period, cut), codes)  # type: ignore[arg-type]
        if options["format"] == "json":
            document = {
                "cite": scope_slug,
                "cites": len(cite_ids),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "cut": cut.value,
                "indicators": [t.as_dict() for t in tables],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{scope_name} — {period.label}")
        for table in tables:
            self.stdout.write("")
            self.stdout.write(
                f"{table.indicator.name} ({table.indicator.unit.label}) [{table.indicator.code}]"
            )
            header = ["Catégorie", *[label for _, label in table.columns]]
            rows = [
                [label, *[french_number(table.value(key, col)) for col, _ in table.columns]]
                for key, label in table.categories
            ]
            if table.indicator.additive:
                rows.append(["Total", *[french_number(table.column_total(col)) for col, _ in table.columns]])
            widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
            for row in [header, *rows]:
                self.stdout.write(
                    "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                )
