"""The demo cité's calls for projects, written through the calls' services like real use.

Two calls, in our own words after the seeds (Amiens 2023, Saint-Étienne): last year's call, closed, whose
selected file ran its whole life (review by two reviewers, Copil decision, agreement, advance, report
submitted); and this year's call, cloned from it and open, with a draft, a submitted file and a file under
review scored by two reviewers. The rules of the catalogue are configured as the seeds state them: title
prefix `CITE EMPLOI-`, at most 6 objectives, a QPV of the cité not « en veille active », no investment,
grant up to 100 % of eligible costs, balanced budget, line 74 `80 – ETAT – POLITIQUE VILLE`, required
documents, previous year's reports. The association persona is the holder; the reviewer persona and a
second reviewer of the Région score. Dates are relative to `world.today`; nothing is random but `world.rng`.
"""

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from citemploi.calls.enums import InstallmentKind, Theme
from citemploi.calls.models import Application, Call, ReviewerAssignment
from citemploi.calls.services import applications as files
from citemploi.calls.services import calls as calls_services
from citemploi.calls.services import committee, funding, instruction
from citemploi.calls.timing import paris_datetime
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.partners import services as partner_services
from citemploi.partners.models import Membership

FUNDER = "80 – ETAT – POLITIQUE VILLE"
SECOND_REVIEWER = ("instruction.region@example.org", "Hélène", "Roussel")
PDF = b"%PDF-1.4\n% document de demonstration\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

SUMMARY = (
    "Innover pour l'emploi des habitant·es des quartiers prioritaires : l'appel finance des actions qui "
    "renforcent le recours au droit commun et lèvent les freins que l'offre existante ne couvre pas, en lien "
    "avec le service public de l'emploi."
)
RULES_TEXT = (
    "Thématiques : mobilité ; modes de garde des enfants et des ascendants ; maintien en emploi.\n"
    "Financement sur un an, à titre expérimental, jusqu'à 100 % des dépenses éligibles ; pas "
    "d'investissement ; frais de formation, moyens humains et salaires éligibles ; cofinancement possible.\n"
    "Les projets déjà soutenus par l'État à l'échelle nationale ou régionale ne sont pas éligibles. Un "
    "collectif d'acteurs peut répondre ensemble.\n"
    "L'intitulé de l'action commence par « CITE EMPLOI- » ; 6 objectifs au plus, qualitatifs et "
    "quantitatifs ; la demande figure en ressources, ligne 74, au nom de « 80 – ETAT – POLITIQUE VILLE ».\n"
    "Les dossiers incomplets ne sont pas instruits. Critères : originalité et caractère innovant ; porteur, "
    "partenaires et leurs rôles ; réalisme entre objectifs, activités et moyens ; un plus pour le recrutement "
    "d'un·e habitant·e des QPV en Emplois francs.\n"
    "Bilan à l'issue : habitant·es des QPV touché·es (jeunes, femmes, seniors), heures réalisées par action, "
    "personnes accédant ou maintenues en formation ou en emploi, heures de coordination avec les partenaires."
)

#: the files of the demo: title, theme, requested amount, objectives, activities (title, hours)
PROJECTS: dict[str, dict[str, Any]] = {
    "auto_ecole": {
        "title": "CITE EMPLOI-Auto-école sociale des quartiers nord",
        "theme": Theme.MOBILITY,
        "requested": Decimal("18000"),
        "description": "Une auto-école sociale sur prescription des conseiller·es : code en collectif, "
        "heures de conduite adaptées, accompagnement à l'examen pour les personnes en parcours d'insertion.",
        "objectives": [
            ("Préparer au code de la route", "Personnes entrées en préparation", "personnes", 30),
            ("Obtenir le permis B", "Permis obtenus", "personnes", 15),
            ("Accéder à un emploi ou une formation", "Sorties en emploi ou formation", "personnes", 10),
        ],
        "activities": [("Cours de code collectifs", 120), ("Heures de conduite", 400)],
    },
    "garde": {
        "title": "CITE EMPLOI-Garde ponctuelle pour parents en démarche",
        "theme": Theme.CHILDCARE,
        "requested": Decimal("12000"),
        "description": "Une aide humaine à domicile, à la demande, pour les parents isolés qui se rendent à un "
        "entretien, un stage, un concours ou une immersion, par des intervenant·es formé·es.",
        "objectives": [
            ("Répondre aux demandes de garde ponctuelle", "Gardes réalisées", "gardes", 120),
            ("Permettre les démarches d'emploi", "Parents ayant mené leur démarche", "personnes", 40),
        ],
        "activities": [("Gardes à domicile", 500), ("Coordination avec les prescripteurs", 60)],
    },
    "maintien": {
        "title": "CITE EMPLOI-Coaching de prise de poste",
        "theme": Theme.JOB_RETENTION,
        "requested": Decimal("15000"),
        "description": "Un coaching individuel et collectif pendant les six premiers mois en emploi ou en "
        "alternance, pour les femmes et les seniors des quartiers, afin de limiter les ruptures.",
        "objectives": [
            ("Accompagner la prise de poste", "Personnes accompagnées", "personnes", 35),
            ("Maintenir en emploi à six mois", "Personnes en emploi à six mois", "personnes", 25),
        ],
        "activities": [("Entretiens individuels", 210), ("Ateliers collectifs", 48)],
    },
    "velo": {
        "title": "CITE EMPLOI-Vélo et bus vers les zones d'emploi",
        "theme": Theme.MOBILITY,
        "requested": Decimal("9000"),
        "description": "Des sorties accompagnées pour combiner vélo et bus entre les quartiers et les zones "
        "d'activité, avec prêt de vélos aux personnes qui reprennent un emploi.",
        "objectives": [("Faire découvrir les trajets vers l'emploi", "Participant·es", "personnes", 60)],
        "activities": [("Sorties et rallyes mobilité", 90)],
    },
}


def _ctx(membership: Membership) -> ActingContext:
    return ActingContext(user=membership.user, membership=membership, via="cli")


def _membership(world: Any, persona: str, role: str) -> Membership:
    return next(m for m in world.memberships[persona] if m.role == role)


def _second_reviewer(world: Any) -> Membership:
    """A second reviewer, from the Région, so that files are scored twice (no persona has this role)."""
    from citemploi.demo.builder import ensure_users
    from citemploi.demo.logins import DEMO_PASSWORD

    user = ensure_users([SECOND_REVIEWER], make_password(DEMO_PASSWORD))[SECOND_REVIEWER[0]]
    return partner_services.add_member(
        ctx=world.coordinator_ctx, user=user, structure=world.structures["region"], role=Role.REVIEWER
    )


def _call_data(year: int, opens_at: Any, closes_at: Any) -> dict[str, Any]:
    return {
        "year": year,
        "title": f"Appel à projets Cité de l'emploi {year}",
        "summary": SUMMARY,
        "rules_text": RULES_TEXT,
        "themes": [Theme.MOBILITY, Theme.CHILDCARE, Theme.JOB_RETENTION],
        "envelope": Decimal("100000"),
        "eligible_holders": "Associations et collectivités territoriales agissant dans les QPV de la cité "
        "(les quartiers en veille active ne sont pas éligibles).",
        "eligible_publics": "Habitant·es des QPV de la cité, sans distinction d'âge ; une attention aux "
        "femmes, aux jeunes et aux seniors.",
        "opens_at": opens_at,
        "closes_at": closes_at,
        "contact_name": "Coordination de la cité de l'emploi",
        "contact_email": "coordination@example.org",
        "funder_label": FUNDER,
    }


def _configure(ctx: ActingContext, call: Call) -> None:
    """The seeds' conditions the default rules leave out: the title prefix and the funder of line 74."""
    calls_services.add_rule(
        ctx=ctx,
        call=call,
        rule_type="title_prefix",
        params={"prefix": "CITE EMPLOI-", "ignore_case": True},
        severity="blocking",
        message="Intitulez l'action « CITE EMPLOI-Intitulé de l'action ».",
    )
    funder_rule = call.rules.get(rule_type="funder_line")
    calls_services.update_rule(
        ctx=ctx,
        rule=funder_rule,
        params={"funder": FUNDER, "same_amount_as_request": True},
        severity="blocking",
        message="Sans cette ligne, le dossier n'est pas reçu.",
    )


def _fill(world: Any, holder: ActingContext, app: Application, key: str, starts: date, ends: date) -> None:
    """Every section of the file, so that the blocking rules pass."""
    project = PROJECTS[key]
    structure = app.holder
    requested = project["requested"]
    files.update_application(
        ctx=holder,
        app=app,
        data={
            "holder_siret": structure.siret or "",
            "holder_rna": structure.rna or ("" if structure.siret else "W802000001"),
            "signatory_name": "Mariam Haddou",
            "signatory_role": "Présidente",
            "signatory_email": "presidence.asso-nord@example.org",
            "contact_name": "Aminata Diallo",
            "contact_email": "membre.association@example.org",
            "description": project["description"],
            "theme": project["theme"],
            "target_people": 40,
            "target_young": 12,
            "target_women": 22,
            "target_seniors": 6,
            "places": "Maison de quartier d'Amiens Nord, centre social",
            "start_date": starts,
            "end_date": ends,
            "hr_description": "Une intervenante à mi-temps, une coordinatrice à 0,2 ETP, deux bénévoles.",
            "hr_fte": Decimal("0.7"),
            "hr_volunteers": 2,
            "hires_planned": key == "maintien",
            "emplois_francs": key == "maintien",
            "requested_amount": requested,
        },
        qpvs=[_qpv(world)],
    )
    files.set_objectives(
        ctx=holder,
        app=app,
        rows=[
            {"title": t, "indicator": i, "unit": u, "target": Decimal(n)}
            for t, i, u, n in project["objectives"]
        ],
    )
    files.set_activities(
        ctx=holder,
        app=app,
        rows=[{"title": t, "description": "", "planned_hours": Decimal(h)} for t, h in project["activities"]],
    )
    files.set_partners(
        ctx=holder,
        app=app,
        rows=[
            {
                "structure": world.structures["ml"],
                "name": "",
                "role": "Prescription des jeunes accompagné·es",
            },
            {
                "structure": world.structures["ft_nord"],
                "name": "",
                "role": "Prescription et suivi des parcours",
            },
        ],
    )
    salaries = (requested * Decimal("0.7")).quantize(Decimal("1"))
    files.set_budget(
        ctx=holder,
        app=app,
        entries=[
            {"line": "641", "label": "", "amount": salaries},
            {"line": "645", "label": "", "amount": requested - salaries + Decimal("3000")},
            {"line": "74etat", "label": FUNDER, "amount": requested},
            {"line": "74dep", "label": "Département de la Somme", "amount": Decimal("3000")},
        ],
    )
    for document in app.call.required_documents.filter(mandatory=True):
        files.add_document(
            ctx=holder,
            app=app,
            kind=document.code,
            upload=SimpleUploadedFile(f"{document.code}.pdf", PDF, content_type="application/pdf"),
        )


def _qpv(world: Any) -> Any:
    return world.qpvs.get("QN08003M") or next(iter(world.qpvs.values()))


def _review(ctx: ActingContext, assignment: ReviewerAssignment, grades: list[int], comment: str) -> None:
    instruction.declare_conflict(ctx=ctx, assignment=assignment, has_conflict=False)
    criteria = list(assignment.application.call.criteria.all())
    justifications = [
        "Réponse nouvelle à un besoin que le droit commun ne couvre pas.",
        "Partenaires identifiés, rôles décrits et complémentaires.",
        "Moyens humains et budget à la mesure des objectifs chiffrés.",
        "Recrutement en Emplois francs envisagé.",
    ]
    scores: dict[int, tuple[int | None, str]] = {
        c.pk: (min(grades[i], c.max_score), justifications[i % len(justifications)])
        for i, c in enumerate(criteria)
    }
    instruction.save_review(ctx=ctx, assignment=assignment, scores=scores, comment=comment, submit=True)


def _scored_twice(world: Any, coord: ActingContext, app: Application, reviewers: list[Membership]) -> None:
    instruction.declare_admissible(ctx=coord, app=app, reason="Dossier complet, règles respectées.")
    for n, membership in enumerate(reviewers):
        assignment = instruction.assign_reviewer(ctx=coord, app=app, reviewer=membership.user)
        grades = [world.rng.randint(1, 3) for _ in range(3)] + [1 if app.emplois_francs else 0]
        _review(_ctx(membership), assignment, grades, f"Avis {n + 1} : projet recevable et cohérent.")


def build_demo(world: Any) -> dict[str, int]:
    coord = world.coordinator_ctx
    holder = _ctx(_membership(world, "association", Role.HOLDER))
    reviewers = [_membership(world, "reviewer", Role.REVIEWER), _second_reviewer(world)]
    today = world.today

    # Last year's call: the whole life of a funded action.
    last = today.year - 1
    previous = calls_services.create_call(
        ctx=coord,
        data=_call_data(
            last,
            paris_datetime(date(last, 5, 5), time(0, 0)),
            paris_datetime(date(last, 5, 22), time(23, 59)),
        ),
    )
    _configure(coord, previous)
    calls_services.publish_call(ctx=coord, call=previous, reason="Lancement de l'appel")
    funded = files.create_application(ctx=holder, call=previous, title=PROJECTS["auto_ecole"]["title"])
    _fill(world, holder, funded, "auto_ecole", date(last, 6, 1), date(last, 12, 15))
    files.submit_application(ctx=holder, app=funded, now=paris_datetime(date(last, 5, 19), time(16, 30)))
    calls_services.close_call(ctx=coord, call=previous, reason="Date de clôture atteinte")
    funded.refresh_from_db()
    _scored_twice(world, coord, funded, reviewers)
    instruction.propose_to_committee(ctx=coord, app=funded, reason="Deux évaluations favorables")
    session = committee.create_session(
        ctx=coord, call=previous, held_on=date(last, 6, 12), place="Préfecture de la Somme",
        attendees="Préfecture, Amiens Métropole, France Travail, Mission locale, Département, Région",
    )  # fmt: skip
    decision = session.decisions.get(application=funded)
    committee.save_decision(
        ctx=coord, decision=decision, outcome="selected", amount=Decimal("16000"),
        conditions="Bilan intermédiaire à mi-parcours.",
    )  # fmt: skip
    committee.lock_session(ctx=coord, session=session)
    funded.refresh_from_db()
    agreement = funding.create_agreement(
        ctx=coord, app=funded, starts_on=date(last, 6, 1), ends_on=date(last, 12, 15)
    )
    funding.sign_agreement(ctx=coord, agreement=agreement, signed_on=date(last, 6, 20))
    advance = agreement.installments.get(kind=InstallmentKind.ADVANCE)
    funding.record_payment(
        ctx=coord, agreement=agreement, kind=InstallmentKind.ADVANCE, amount=advance.amount,
        paid_on=date(last, 7, 3), reference=f"EJ {last}-0042",
    )  # fmt: skip
    report = funded.report
    funding.save_report(
        ctx=holder,
        report=report,
        data={
            "narrative": "Trente-quatre personnes sont entrées en préparation ; dix-sept ont obtenu le permis. "
            "Les prescriptions de la Mission locale ont été plus nombreuses que prévu.",
            "qpv_residents": 34,
            "young": 14,
            "women": 19,
            "seniors": 3,
            "people_in_training_or_employment": 11,
            "coordination_hours": Decimal("42"),
        },
        objectives={
            o.pk: (Decimal(target * 11 // 10), "")
            for o, (_, _, _, target) in zip(
                funded.objectives.all(), PROJECTS["auto_ecole"]["objectives"], strict=True
            )
        },
        activities={
            a.pk: Decimal(h)
            for a, (_, h) in zip(funded.activities.all(), PROJECTS["auto_ecole"]["activities"], strict=True)
        },
        financial={line.pk: (line.planned, "") for line in report.financial_lines.all()},
    )
    funding.submit_report(ctx=holder, report=report)

    # This year's call, cloned from last year's and open now.
    year = today.year if today.month <= 9 else today.year + 1
    current = calls_services.clone_call(ctx=coord, source=previous)
    opens = paris_datetime(today - timedelta(days=12), time(0, 0))
    closes = paris_datetime(today + timedelta(days=18), time(23, 59))
    calls_services.update_call(ctx=coord, call=current, data={**_call_data(year, opens, closes)})
    calls_services.publish_call(ctx=coord, call=current, reason="Lancement de l'appel")
    current.refresh_from_db()
    starts, ends = max(today + timedelta(days=30), date(year, 1, 1)), date(year, 12, 15)

    draft = files.create_application(ctx=holder, call=current, title=PROJECTS["velo"]["title"])
    files.update_application(
        ctx=holder, app=draft, data={"description": PROJECTS["velo"]["description"], "theme": Theme.MOBILITY}
    )
    submitted = files.create_application(ctx=holder, call=current, title=PROJECTS["garde"]["title"])
    _fill(world, holder, submitted, "garde", starts, ends)
    files.submit_application(ctx=holder, app=submitted)
    reviewed = files.create_application(ctx=holder, call=current, title=PROJECTS["maintien"]["title"])
    _fill(world, holder, reviewed, "maintien", starts, ends)
    files.submit_application(ctx=holder, app=reviewed)
    reviewed.refresh_from_db()
    _scored_twice(world, coord, reviewed, reviewers)

    return {
        "appels à projets": 2,
        "dossiers d'appel à projets": Application.objects.filter(call__in=[previous, current]).count(),
        "actions financées": 1,
    }
