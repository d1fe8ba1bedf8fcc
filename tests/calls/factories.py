"""Calls and files in real situations: an open call with the seeds' usual conditions, Amiens 2023, a file
that meets every rule, a file reviewed, a selected file with its agreement."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from citemploi.calls.enums import ApplicationStatus, CallStatus, ConflictStatus, ReviewStatus
from citemploi.calls.models import (
    Activity,
    Application,
    ApplicationDocument,
    ApplicationPartner,
    BudgetEntry,
    Call,
    Criterion,
    EligibilityRule,
    Objective,
    RequiredDocument,
    Review,
    ReviewerAssignment,
    Score,
)
from citemploi.calls.services.calls import (
    DEFAULT_CRITERIA,
    DEFAULT_DOCUMENTS,
    DEFAULT_RULES,
    _validated_params,
)
from citemploi.calls.timing import paris_datetime

PDF = b"%PDF-1.4\n% test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FUNDER = "80 – ETAT – POLITIQUE VILLE"


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.LazyAttribute(lambda o: f"Appel à projets cité de l'emploi {o.year}")
    summary = "Innovez pour l'emploi des résident·es des QPV : mobilité, modes de garde, maintien en emploi."
    rules_text = "Les projets déposés feront l'objet d'une instruction en éligibilité."
    themes = factory.LazyFunction(lambda: ["mobility", "childcare", "job_retention"])
    envelope = Decimal("100000")
    status = CallStatus.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    )
    contact_email = "coordination@example.org"
    funder_label = FUNDER
    grantor_name = factory.LazyAttribute(lambda o: o.cite.name)
    grantor_siret = "21800021900013"

    class Params:
        draft = factory.Trait(status=CallStatus.DRAFT)
        closed_yesterday = factory.Trait(
            status=CallStatus.CLOSED,
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        #: the seed's call: open 5 May 2023, closing 22 May 2023 at 23:59 (Paris)
        amiens_2023 = factory.Trait(
            year=2023,
            title="Appel à projets Cité de l'Emploi d'Amiens Métropole 2023",
            opens_at=paris_datetime(date(2023, 5, 5), time(0, 0)),
            closes_at=paris_datetime(date(2023, 5, 22), time(23, 59)),
        )

    @factory.post_generation
    def with_defaults(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for position, (code, params, severity) in enumerate(DEFAULT_RULES):
            EligibilityRule.objects.create(
                call=self,
                rule_type=code,
                params=_validated_params(code, params),
                severity=severity,
                position=position,
            )
        for position, c in enumerate(DEFAULT_CRITERIA):
            Criterion.objects.create(call=self, position=position, **c)
        for position, d in enumerate(DEFAULT_DOCUMENTS):
            RequiredDocument.objects.create(call=self, position=position, **d)


def add_rule(call, code, params=None, severity="blocking", message=""):
    return EligibilityRule.objects.create(
        call=call, rule_type=code, params=_validated_params(code, params or {}), severity=severity, message=message,
        position=call.rules.count(),
    )  # fmt: skip


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"AMIENS-TEST-{n:04d}")
    title = "CITE EMPLOI-Auto-école sociale"
    status = ApplicationStatus.DRAFT

    class Params:
        #: every part of the file filled in so that the usual conditions pass
        complete = factory.Trait(
            holder_siret="12345678901234",
            signatory_name="Fatou Ndiaye",
            signatory_role="Présidente",
            signatory_email="presidente@asso.example.org",
            contact_name="Julien Morel",
            contact_email="julien.morel@asso.example.org",
            description="Une auto-école sociale dans les quartiers nord, sur prescription des conseillers.",
            theme="mobility",
            target_people=40,
            target_young=15,
            target_women=20,
            target_seniors=5,
            places="Centre social Étouvie, maison de quartier Amiens Nord",
            start_date=factory.LazyAttribute(lambda o: date(o.call.year, 6, 1)),
            end_date=factory.LazyAttribute(lambda o: date(o.call.year, 12, 15)),
            hr_description="Une monitrice à mi-temps, un coordinateur à 0,2 ETP.",
            requested_amount=Decimal("20000"),
        )

    @factory.post_generation
    def filled(self, create, extracted, **kwargs):
        """`filled=True`: QPV, objectives, activities, partners, a balanced budget, the mandatory documents."""
        if not create or not extracted:
            return
        self.qpvs.set(self.call.cite.qpvs.all()[:1])
        Objective.objects.bulk_create(
            [
                Objective(
                    application=self,
                    position=1,
                    title="Préparer au permis",
                    indicator="Personnes inscrites",
                    unit="personnes",
                    target=30,
                ),
                Objective(
                    application=self,
                    position=2,
                    title="Obtenir le permis",
                    indicator="Permis obtenus",
                    unit="personnes",
                    target=15,
                ),
            ]
        )
        Activity.objects.create(
            application=self, position=1, title="Cours de code collectifs", planned_hours=120
        )
        ApplicationPartner.objects.create(
            application=self, name="Auto-école partenaire", role="Heures de conduite"
        )
        fill_budget(self)
        for doc in self.call.required_documents.filter(mandatory=True):
            attach(self, doc.code)


def fill_budget(app, *, requested=None, extra_charge=Decimal(0)):
    requested = requested if requested is not None else app.requested_amount
    BudgetEntry.objects.filter(application=app).delete()
    BudgetEntry.objects.bulk_create(
        [
            BudgetEntry(application=app, line="641", amount=Decimal("18000") + extra_charge, position=0),
            BudgetEntry(application=app, line="645", amount=Decimal("7000"), position=1),
            BudgetEntry(application=app, line="74etat", label=FUNDER, amount=requested, position=2),
            BudgetEntry(
                application=app,
                line="74dep",
                label="Département de la Somme",
                amount=Decimal("25000") - requested,
                position=3,
            ),
        ]
    )


def attach(app, kind, name="document.pdf", content=PDF):
    doc = ApplicationDocument(
        application=app,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    doc.file.save(name, ContentFile(content), save=False)
    doc.save()
    return doc


def assign(app, reviewer_membership, *, declared=True):
    return ReviewerAssignment.objects.create(
        application=app,
        reviewer=reviewer_membership.user,
        conflict_status=ConflictStatus.NONE if declared else ConflictStatus.UNDECLARED,
    )


def submitted_review(assignment, scores: dict[int, int]):
    review = Review.objects.create(
        assignment=assignment, status=ReviewStatus.SUBMITTED, submitted_at=timezone.now()
    )
    for criterion in assignment.application.call.criteria.all():
        Score.objects.create(
            review=review,
            criterion=criterion,
            score=scores.get(criterion.position, 0),
            justification="Vu le dossier.",
        )
    return review


def at_paris(y, m, d, hh=0, mm=0, ss=0):
    from citemploi.calls.timing import PARIS

    return datetime(y, m, d, hh, mm, ss, tzinfo=PARIS)
