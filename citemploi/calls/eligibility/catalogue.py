"""The catalogue of rule types. Each covers a condition stated by a real call (the seeds: Amiens 2023,
Saint-Étienne Métropole, Le Mans Métropole 2023); the coordinator picks them, sets their parameters,
severity and message for each call."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from citemploi.calls import budget_lines
from citemploi.calls.eligibility.base import Facts, NoParams, Result, RuleType, register
from citemploi.calls.enums import ApplicationStatus, ReportStatus, Theme
from citemploi.calls.formatting import euros, percent
from citemploi.calls.timing import format_paris, is_before, is_late
from citemploi.partners.enums import StructureKind

ChargePost = Literal["60", "61", "62", "63", "64", "65", "66", "67", "68", "CHARGINDIRECT"]
FilePart = Literal[
    "identification",
    "signatory",
    "contact",
    "description",
    "publics",
    "places",
    "human_resources",
    "partners",
    "activities",
]


def _default_forbidden_posts() -> list[ChargePost]:
    return ["68"]


def _default_parts() -> list[FilePart]:
    return ["identification", "signatory", "contact", "description", "publics", "activities"]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _kinds(values: list[str]) -> str:
    labels = []
    for v in values:
        try:
            labels.append(str(StructureKind(v).label))
        except ValueError:
            labels.append(v)
    return ", ".join(labels)


@register
class HolderKind(RuleType):
    code = "holder_kind"
    label = "Type de structure porteuse"
    description = "La structure porteuse est d'un type éligible (association, collectivité territoriale…)."

    class Params(_Params):
        kinds: list[StructureKind] = Field(
            default_factory=lambda: [StructureKind.ASSOCIATION, StructureKind.COMMUNE_EPCI],
            min_length=1,
            title="Types de structure éligibles",
        )

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Porteurs éligibles : {_kinds(params.kinds)}."

    def check(self, facts: Facts, params: Any) -> Result:
        if facts.holder_kind in params.kinds:
            return Result.ok(f"La structure porteuse ({facts.holder_kind_label}) est éligible.")
        return Result.fail(
            f"Les porteurs éligibles sont : {_kinds(params.kinds)}. "
            f"La structure porteuse est : {facts.holder_kind_label or 'type inconnu'}."
        )


@register
class QPVLocation(RuleType):
    code = "qpv_location"
    label = "Action dans les QPV de la cité"
    description = (
        "L'action se déroule dans au moins un QPV de la cité ; les QPV en veille active peuvent être exclus."
    )

    class Params(_Params):
        exclude_veille_active: bool = Field(True, title="Exclure les QPV en veille active")

    @classmethod
    def summary(cls, params: Any) -> str:
        if params.exclude_veille_active:
            return "Action dans les QPV de la cité, QPV en veille active exclus."
        return "Action dans les QPV de la cité."

    def check(self, facts: Facts, params: Any) -> Result:
        if not facts.qpvs:
            return Result.fail("Indiquez au moins un QPV où se déroule l'action.")
        outside = [q for q in facts.qpvs if q.code not in facts.cite_qpv_codes]
        if outside:
            names = ", ".join(f"{q.name} ({q.code})" for q in outside)
            return Result.fail(f"Hors des QPV de la cité : {names}.")
        if params.exclude_veille_active:
            watched = [q for q in facts.qpvs if q.veille_active]
            if watched:
                names = ", ".join(f"{q.name} ({q.code})" for q in watched)
                return Result.fail(
                    f"QPV en veille active, non éligible{'s' if len(watched) > 1 else ''} : {names}."
                )
        return Result.ok("L'action se déroule dans " + ", ".join(q.name for q in facts.qpvs) + ".")


@register
class SubmissionWindow(RuleType):
    code = "submission_window"
    label = "Dépôt dans les délais"
    description = (
        "Le dossier est déposé entre l'ouverture et la clôture de l'appel (heure de Paris, minute de clôture "
        "comprise : clôture à 23h59, un dépôt à 23:59:59 est à l'heure, à 00:00:00 il est hors délai)."
    )
    Params = NoParams

    def check(self, facts: Facts, params: Any) -> Result:
        if facts.opens_at is None or facts.closes_at is None:
            return Result.fail("Les dates de dépôt de l'appel ne sont pas encore fixées.")
        if is_before(facts.now, facts.opens_at):
            return Result.fail(f"Les dépôts ouvrent le {format_paris(facts.opens_at)}.")
        if is_late(facts.closes_at, facts.now):
            return Result.fail(f"Les dépôts sont clos depuis le {format_paris(facts.closes_at)}.")
        return Result.ok(f"Dépôt possible jusqu'au {format_paris(facts.closes_at)}.")


@register
class ActionDatesInYear(RuleType):
    code = "action_dates_in_year"
    label = "Action pendant l'année de l'appel"
    description = "L'action commence et se termine pendant l'année de l'appel (ou l'année indiquée)."

    class Params(_Params):
        year: int | None = Field(
            None, ge=2000, le=2100, title="Année", description="Vide : l'année de l'appel."
        )

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Action réalisée pendant l'année {params.year}." if params.year else cls.description

    def check(self, facts: Facts, params: Any) -> Result:
        year = params.year or facts.call_year
        if facts.start_date is None or facts.end_date is None:
            return Result.fail("Indiquez les dates de début et de fin de l'action.")
        if facts.end_date < facts.start_date:
            return Result.fail("La date de fin de l'action précède sa date de début.")
        if not (date(year, 1, 1) <= facts.start_date and facts.end_date <= date(year, 12, 31)):
            return Result.fail(
                f"L'action doit se dérouler en {year} : elle va du {facts.start_date:%d/%m/%Y} "
                f"au {facts.end_date:%d/%m/%Y}."
            )
        return Result.ok(f"L'action se déroule en {year}.")


@register
class TitlePrefix(RuleType):
    code = "title_prefix"
    label = "Préfixe de l'intitulé"
    description = "L'intitulé de l'action commence par le préfixe demandé (par exemple « CITE EMPLOI- »)."

    class Params(_Params):
        prefix: str = Field("CITE EMPLOI-", min_length=1, max_length=60, title="Préfixe")
        ignore_case: bool = Field(True, title="Sans tenir compte des majuscules")

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Intitulé commençant par « {params.prefix} »."

    def check(self, facts: Facts, params: Any) -> Result:
        title = facts.title.strip()
        prefix = params.prefix
        head, wanted = (title[: len(prefix)], prefix)
        if params.ignore_case:
            head, wanted = head.casefold(), wanted.casefold()
        if head != wanted:
            return Result.fail(
                f"L'intitulé doit commencer par « {prefix} » (par exemple « {prefix}Auto-école sociale »)."
            )
        if not title[len(prefix) :].strip():
            return Result.fail(f"Ajoutez l'intitulé de l'action après « {prefix} ».")
        return Result.ok(f"L'intitulé commence par « {prefix} ».")


@register
class ObjectivesCount(RuleType):
    code = "objectives_count"
    label = "Nombre d'objectifs"
    description = "Le dossier fixe entre un minimum et un maximum d'objectifs (6 au plus dans les seeds)."

    class Params(_Params):
        min: int = Field(1, ge=0, le=20, title="Minimum")
        max: int = Field(6, ge=1, le=20, title="Maximum")

        @model_validator(mode="after")
        def _ordered(self) -> "ObjectivesCount.Params":
            if self.min > self.max:
                raise ValueError("le minimum dépasse le maximum")
            return self

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Entre {params.min} et {params.max} objectifs."

    def check(self, facts: Facts, params: Any) -> Result:
        n = facts.objectives_count
        if n < params.min:
            return Result.fail(
                f"Fixez au moins {params.min} objectif{'s' if params.min > 1 else ''} ({n} pour l'instant)."
            )
        if n > params.max:
            return Result.fail(f"{n} objectifs : {params.max} au plus.")
        return Result.ok(f"{n} objectif{'s' if n > 1 else ''}.")


@register
class NoInvestment(RuleType):
    code = "no_investment"
    label = "Pas de dépense d'investissement"
    description = (
        "L'appel ne finance pas d'investissement : aucune dépense d'investissement déclarée ni aucun montant "
        "aux comptes indiqués (68 – dotation aux amortissements par défaut)."
    )

    class Params(_Params):
        forbidden_posts: list[ChargePost] = Field(
            default_factory=_default_forbidden_posts, title="Comptes de charges interdits"
        )

    @classmethod
    def summary(cls, params: Any) -> str:
        posts = ", ".join(params.forbidden_posts) or "aucun"
        return f"Pas d'investissement (comptes interdits : {posts})."

    def check(self, facts: Facts, params: Any) -> Result:
        if facts.investment_amount > 0:
            return Result.fail(
                f"Le dossier prévoit {euros(facts.investment_amount)} d'investissement : "
                "l'appel ne finance pas d'investissement."
            )
        for post in params.forbidden_posts:
            amount = sum(
                (e.amount for e in facts.budget if budget_lines.LINES[e.line].post == post), Decimal(0)
            )
            if amount > 0:
                label = budget_lines.POSTS_BY_CODE[post].label
                return Result.fail(
                    f"Le budget prévoit {euros(amount)} au compte {label} : l'appel ne finance pas d'investissement."
                )
        return Result.ok("Aucune dépense d'investissement.")


@register
class GrantShareMax(RuleType):
    code = "grant_share_max"
    label = "Part de la subvention dans les dépenses éligibles"
    description = (
        "La subvention demandée ne dépasse pas un pourcentage des dépenses éligibles (charges hors "
        "contributions volontaires en nature)."
    )

    class Params(_Params):
        max_percent: Decimal = Field(Decimal(100), gt=0, le=100, title="Pourcentage maximal")

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Subvention ≤ {percent(params.max_percent, 2)} des dépenses éligibles."

    def check(self, facts: Facts, params: Any) -> Result:
        eligible = budget_lines.totals(list(facts.budget)).direct_charges
        if facts.requested_amount <= 0:
            return Result.fail("Indiquez le montant de la subvention demandée.")
        if eligible <= 0:
            return Result.fail("Le budget ne comporte aucune dépense éligible.")
        share = facts.requested_amount * 100 / eligible
        text = (
            f"La subvention demandée ({euros(facts.requested_amount)}) représente {percent(share)} "
            f"des dépenses éligibles ({euros(eligible)}) ; maximum {percent(params.max_percent, 2)}."
        )
        return Result.ok(text) if share <= params.max_percent else Result.fail(text)


@register
class BudgetBalanced(RuleType):
    code = "budget_balanced"
    label = "Budget équilibré"
    description = "Le total des charges est égal au total des ressources (contributions en nature comprises)."

    class Params(_Params):
        tolerance: Decimal = Field(Decimal(0), ge=0, le=1000, title="Écart toléré (€)")

    def check(self, facts: Facts, params: Any) -> Result:
        t = budget_lines.totals(list(facts.budget))
        if t.charges == 0 and t.resources == 0:
            return Result.fail("Le budget est vide : saisissez les charges et les ressources du projet.")
        if abs(t.balance) <= params.tolerance:
            return Result.ok(f"Budget équilibré : {euros(t.charges)} de charges et de ressources.")
        return Result.fail(
            f"Budget déséquilibré : {euros(t.charges)} de charges pour {euros(t.resources)} de ressources "
            f"(écart de {euros(abs(t.balance))})."
        )


@register
class FunderLine(RuleType):
    code = "funder_line"
    label = "Financeur en ligne 74"
    description = (
        "Les ressources portent, en ligne 74 (subventions d'exploitation), la demande au financeur sous "
        "l'intitulé exact demandé (par exemple « 80 – ETAT – POLITIQUE VILLE »), pour le montant demandé."
    )

    class Params(_Params):
        funder: str = Field(
            "",
            max_length=120,
            title="Intitulé du financeur",
            description="Vide : l'intitulé indiqué dans l'appel.",
        )
        same_amount_as_request: bool = Field(True, title="Montant égal à la subvention demandée")

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Ligne 74 au nom de « {params.funder} »." if params.funder else cls.description

    def check(self, facts: Facts, params: Any) -> Result:
        funder = params.funder or facts.call_funder_label
        if not funder:
            return Result.na("L'appel n'indique pas d'intitulé de financeur.")
        wanted = budget_lines.normalise_funder(funder)
        amount = sum(
            (
                e.amount
                for e in facts.budget
                if budget_lines.LINES[e.line].post == "74"
                and budget_lines.normalise_funder(e.label) == wanted
            ),
            Decimal(0),
        )
        if amount <= 0:
            return Result.fail(
                f"Ligne 74 des ressources : aucune demande au financeur « {funder} ». "
                "Sans cet intitulé, le dossier ne peut pas être reçu."
            )
        if params.same_amount_as_request and amount != facts.requested_amount:
            return Result.fail(
                f"Ligne 74 : {euros(amount)} demandés à « {funder} », mais la subvention demandée est de "
                f"{euros(facts.requested_amount)}."
            )
        return Result.ok(f"Ligne 74 : {euros(amount)} demandés à « {funder} ».")


@register
class RequiredDocuments(RuleType):
    code = "required_documents"
    label = "Pièces obligatoires jointes"
    description = "Les pièces obligatoires de l'appel sont jointes au dossier."

    class Params(_Params):
        codes: list[str] = Field(
            default_factory=list,
            max_length=30,
            title="Codes des pièces",
            description="Vide : toutes les pièces obligatoires de l'appel.",
        )

    def check(self, facts: Facts, params: Any) -> Result:
        wanted = [
            d for d in facts.required_documents if (d.code in params.codes if params.codes else d.mandatory)
        ]
        if not wanted:
            return Result.na("Aucune pièce obligatoire.")
        missing = [d.label for d in wanted if d.code not in facts.documents]
        if missing:
            return Result.fail("Pièces manquantes : " + ", ".join(missing) + ".")
        return Result.ok(
            f"{len(wanted)} pièce{'s' if len(wanted) > 1 else ''} jointe{'s' if len(wanted) > 1 else ''}."
        )


#: statuses of a previous grant whose reports count as received and validated
_SETTLED = {ApplicationStatus.CLOSED}


@register
class PreviousReportsValidated(RuleType):
    code = "previous_reports_validated"
    label = "Bilans de l'année précédente validés"
    description = (
        "La subvention est conditionnée aux bilans des actions financées les années précédentes : ils ont été "
        "reçus et validés."
    )

    class Params(_Params):
        years_back: int = Field(1, ge=1, le=5, title="Nombre d'années vérifiées")

    @classmethod
    def summary(cls, params: Any) -> str:
        if params.years_back == 1:
            return "Bilans des actions financées l'année précédente reçus et validés."
        return f"Bilans des actions financées les {params.years_back} années précédentes reçus et validés."

    def check(self, facts: Facts, params: Any) -> Result:
        years = range(facts.call_year - params.years_back, facts.call_year)
        grants = [g for g in facts.previous_grants if g.year in years]
        if not grants:
            return Result.na("Pas de subvention de la cité les années précédentes.")
        pending = [
            g for g in grants if not (g.status in _SETTLED or g.report_status == ReportStatus.VALIDATED)
        ]
        if pending:
            parts = []
            for g in pending:
                state = ReportStatus(g.report_status).label if g.report_status else "bilan non commencé"
                parts.append(f"{g.reference} « {g.title} » ({g.year}) : {state}")
            return Result.fail("Bilans non validés : " + " ; ".join(parts) + ".")
        return Result.ok(
            f"Bilans validés pour {len(grants)} action{'s' if len(grants) > 1 else ''} précédente{'s' if len(grants) > 1 else ''}."
        )


@register
class MaxAmount(RuleType):
    code = "max_amount"
    label = "Montant maximal demandé"
    description = "La subvention demandée ne dépasse pas un plafond."

    class Params(_Params):
        max_amount: Decimal = Field(Decimal(30000), gt=0, le=10**9, title="Plafond (€)")

    @classmethod
    def summary(cls, params: Any) -> str:
        return f"Subvention demandée de {euros(params.max_amount)} au plus."

    def check(self, facts: Facts, params: Any) -> Result:
        if facts.requested_amount > params.max_amount:
            return Result.fail(
                f"{euros(facts.requested_amount)} demandés : le plafond est de {euros(params.max_amount)}."
            )
        return Result.ok(f"{euros(facts.requested_amount)} demandés (plafond {euros(params.max_amount)}).")


@register
class ThemeOfCall(RuleType):
    code = "theme_of_call"
    label = "Thématique de l'appel"
    description = "Le projet relève d'une des thématiques de l'appel."
    Params = NoParams

    def check(self, facts: Facts, params: Any) -> Result:
        if not facts.call_themes:
            return Result.na("L'appel ne fixe pas de thématique.")
        labels = ", ".join(str(Theme(t).label) for t in facts.call_themes if t in Theme.values)
        if not facts.theme:
            return Result.fail(f"Choisissez la thématique du projet parmi : {labels}.")
        if facts.theme not in facts.call_themes:
            return Result.fail(f"Les thématiques de l'appel sont : {labels}.")
        return Result.ok(f"Thématique : {Theme(facts.theme).label}.")


@register
class FileComplete(RuleType):
    code = "file_complete"
    label = "Dossier complet"
    description = "Les rubriques indiquées du dossier sont remplies (« les dossiers incomplets ne sont pas instruits »)."

    FIELDS: dict[str, str] = {
        "identification": "SIRET ou numéro RNA de la structure",
        "signatory": "représentant·e légal·e",
        "contact": "personne chargée du dossier",
        "description": "description du projet",
        "publics": "publics visés",
        "places": "lieux de réalisation",
        "human_resources": "moyens humains",
        "partners": "partenaires et leurs rôles",
        "activities": "activités",
    }

    class Params(_Params):
        parts: list[FilePart] = Field(
            default_factory=_default_parts,
            min_length=1,
            title="Rubriques obligatoires",
        )

    @classmethod
    def summary(cls, params: Any) -> str:
        return "Rubriques obligatoires : " + ", ".join(cls.FIELDS[p] for p in params.parts) + "."

    def check(self, facts: Facts, params: Any) -> Result:
        missing = [self.FIELDS[p] for p in params.parts if not facts.filled.get(p)]
        if missing:
            return Result.fail("À remplir : " + ", ".join(missing) + ".")
        return Result.ok("Toutes les rubriques obligatoires sont remplies.")
