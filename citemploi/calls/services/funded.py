"""A funded action enters the other domains: a service of the directory and an action of the cité's roadmap.

When the agreement of a selected file is signed, the coordinator who records the signature creates, through
the directory's and the partnership's own services (so their rules and audit apply):
- a **service** of the holder's structure, of nature « financé par l'appel à projets de la cité », with the
  data·inclusion themes of the file's theme, the communes of its QPV as area served, the action's dates as
  opening and validity, the publics the file targets, and the file's reference in its description — so
  référents orient people to it and those orientations count in the action's report;
- a **roadmap action** under the stake « offre spécifique pour les besoins non couverts » (the call for
  projects is the cité's tool for it, domain.md §1), in an objective per call year, piloted by the holder.
  A roadmap action (rather than an event) is what lasts the whole action and is followed by the Copil; the
  events the holder organises can then be attached to it in the partnership screens.

Both are created once, keyed on the file (`FundedActionLink`, one row per file): running it again only
creates what is missing (for instance after the holder became a partner of the cité).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from citemploi.calls.enums import FUNDED_STATUSES, Theme
from citemploi.calls.models import Application, FundedActionLink
from citemploi.calls.services.common import IllegalState, require_in_cite
from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.offer import services as offer_services
from citemploi.offer.enums import InsertionStep, Public, ServiceNature, ServiceType
from citemploi.offer.models import Service
from citemploi.partners.models import Structure
from citemploi.partnership.enums import Stake
from citemploi.partnership.models import Objective, RoadmapAction
from citemploi.partnership.services import roadmap as roadmap_services

#: the data·inclusion themes (categories or sub-themes) of each theme of the calls
THEME_CODES: dict[str, tuple[str, ...]] = {
    Theme.MOBILITY: ("mobilite",),
    Theme.CHILDCARE: ("famille",),
    Theme.JOB_RETENTION: ("trouver-un-emploi",),
    Theme.LANGUAGE: ("lecture-ecriture-calcul--maitriser-le-francais",),
    Theme.HEALTH: ("sante",),
    Theme.BUSINESS_LINKS: ("trouver-un-emploi", "preparer-sa-candidature--developper-son-reseau"),
    Theme.SELF_CONFIDENCE: ("remobilisation",),
    Theme.HORS_RADAR: ("remobilisation",),
    Theme.COMMUNICATION: (),
    Theme.DIGITAL: ("numerique",),
    Theme.BASIC_SKILLS: ("lecture-ecriture-calcul",),
    Theme.OTHER: (),
}

#: the step of the insertion chain each theme serves (levée des freins by default)
THEME_STEPS: dict[str, str] = {
    Theme.BUSINESS_LINKS: InsertionStep.MISE_EN_RELATION,
    Theme.HORS_RADAR: InsertionStep.REPERAGE,
    Theme.COMMUNICATION: InsertionStep.REPERAGE,
}

TITLE_PREFIX = "CITE EMPLOI-"


def objective_title(year: int) -> str:
    return f"Actions financées par l'appel à projets {year}"


def display_title(title: str) -> str:
    """The action's title without the prefix the grants portal requires (« CITE EMPLOI-Auto-école » →
    « Auto-école »)."""
    stripped = title.strip()
    if stripped.upper().startswith(TITLE_PREFIX):
        stripped = stripped[len(TITLE_PREFIX) :].strip()
    return stripped or title.strip()


def _dates(app: Application) -> tuple[date | None, date | None]:
    agreement = getattr(app, "agreement", None)
    if agreement is not None:
        return agreement.starts_on, agreement.ends_on
    return app.start_date, app.end_date


def _origin(app: Application) -> str:
    starts, ends = _dates(app)
    period = f", du {starts:%d/%m/%Y} au {ends:%d/%m/%Y}" if starts and ends else ""
    return (
        f"Action financée par l'appel à projets « {app.call.title} » de la cité "
        f"(dossier {app.reference}{period})."
    )


def _publics(app: Application) -> list[str]:
    publics = [Public.RESIDENTS_QPV]
    if app.target_young:
        publics.append(Public.JEUNES)
    if app.target_women:
        publics.append(Public.FEMMES)
    if app.target_seniors:
        publics.append(Public.SENIORS)
    return [str(p) for p in publics]


def _areas(app: Application) -> list[str]:
    codes = {c.insee_code for q in app.qpvs.prefetch_related("communes") for c in q.communes.all()}
    return sorted(codes)


def _service_data(app: Application, holder: Structure) -> dict:
    starts, ends = _dates(app)
    description = "\n\n".join(p for p in (app.description.strip(), _origin(app)) if p)
    return {
        "name": display_title(app.title)[:150],
        "description": description,
        "nature": ServiceNature.AAP,
        "step": THEME_STEPS.get(app.theme, InsertionStep.LEVEE_FREINS),
        "type": ServiceType.ACCOMPAGNEMENT,
        "publics_details": "Résident·es des quartiers prioritaires de la cité.",
        "prescribers": "Les référents de parcours des partenaires de la cité",
        "email": holder.email,
        "phone": holder.phone,
        "address": holder.address,
        "opens_on": starts,
        "valid_until": ends,
    }


def _is_partner(app: Application) -> bool:
    return Structure.objects.filter(pk=app.holder_id, partnerships__cite_id=app.call.cite_id).exists()


def _create_service(ctx: ActingContext, app: Application) -> Service:
    return offer_services.create_service(
        ctx=ctx,
        structure=app.holder,
        data=_service_data(app, app.holder),
        themes=THEME_CODES.get(app.theme, ()),
        publics=_publics(app),
        areas=_areas(app),
    )


def _objective(ctx: ActingContext, app: Application) -> Objective:
    """The roadmap objective gathering the actions funded by the calls of that year (created once)."""
    title = objective_title(app.call.year)
    existing = (
        Objective.objects.filter(cite_id=app.call.cite_id, stake=Stake.SPECIFIC_OFFER, title=title)
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing
    return roadmap_services.create_objective(
        ctx=ctx,
        data={
            "stake": Stake.SPECIFIC_OFFER,
            "title": title,
            "description": "Les actions retenues par le comité de pilotage et conventionnées, une par dossier.",
        },
    )


def _create_roadmap_action(ctx: ActingContext, app: Application, partner: bool) -> RoadmapAction:
    starts, ends = _dates(app)
    return roadmap_services.create_action(
        ctx=ctx,
        objective=_objective(ctx, app),
        data={
            "title": display_title(app.title)[:250],
            "description": f"{app.holder.name}. {_origin(app)}",
            "owner": app.holder if partner else None,
            "starts_on": starts,
            "due_on": ends,
        },
    )


def _messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@transaction.atomic
def link_funded_action(*, ctx: ActingContext, app: Application) -> FundedActionLink:
    """Create what is missing of the funded action's service and roadmap action (idempotent).

    A part that cannot be created (the holder is not a partner of the cité, so the directory refuses its
    service) is written in `problems` and the rest is kept: the signature of the agreement never fails
    because of the directory.
    """
    require_in_cite(ctx, "agreement.manage", app.call.cite_id)
    locked = Application.objects.select_for_update().select_related("call", "holder").get(pk=app.pk)
    if locked.status not in FUNDED_STATUSES:
        raise IllegalState("Seule une action conventionnée (convention signée) entre dans l'annuaire.")
    link, _ = FundedActionLink.objects.get_or_create(application=locked, defaults={"created_by": ctx.user})
    partner = _is_partner(locked)
    problems: list[str] = []
    changes: dict[str, list] = {}
    if link.service_id is None:
        if not partner:
            problems.append(
                f"Service non créé : {locked.holder.name} n'est pas partenaire de la cité. Ajoutez la "
                "structure aux partenaires, puis relancez la création des liens."
            )
        else:
            try:
                with transaction.atomic():
                    link.service = _create_service(ctx, locked)
                changes["service"] = [None, link.service.pk]
            except (PermissionDenied, ValidationError) as exc:
                problems.append(f"Service non créé : {_messages(exc)}")
    if link.roadmap_action_id is None:
        try:
            with transaction.atomic():
                link.roadmap_action = _create_roadmap_action(ctx, locked, partner)
            changes["roadmap_action"] = [None, link.roadmap_action.pk]
        except (PermissionDenied, ValidationError) as exc:
            problems.append(f"Action de la feuille de route non créée : {_messages(exc)}")
    link.problems = "\n".join(problems)
    link.save(update_fields=["service", "roadmap_action", "problems", "updated_at"])
    if changes or problems:
        audit.log(
            ctx,
            "application.funded_links",
            locked,
            changes={**changes, **({"problems": link.problems} if problems else {})},
        )
    return link


def follow_roadmap_action(*, ctx: ActingContext, app: Application, to_status: str, reason: str) -> bool:
    """Move the funded action's roadmap action along with the file (the first payment starts it, the
    closing of the file marks it done), through the partnership's transition service. A roadmap action the
    coordination already moved elsewhere by hand is left as it is; returns whether it moved."""
    link = FundedActionLink.objects.filter(application=app).select_related("roadmap_action").first()
    action = link.roadmap_action if link else None
    if action is None or to_status not in roadmap_services.allowed_moves(action):
        return False
    try:
        with transaction.atomic():
            roadmap_services.transition_action(ctx=ctx, action=action, to_status=to_status, reason=reason)
    except (PermissionDenied, ValidationError):
        return False
    return True
