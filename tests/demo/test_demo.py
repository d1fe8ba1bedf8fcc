"""The demo data: the Amiens Métropole cité, the logins, the benchmark data sets."""

import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.management import CommandError, call_command
from django.db import transaction

from citemploi.accounts.models import User
from citemploi.core.audit import _jsonable
from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role
from citemploi.demo import amiens
from citemploi.demo.bench import build_bench
from citemploi.demo.builder import build_amiens
from citemploi.demo.digest import demo_digest
from citemploi.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from citemploi.demo.people import slots
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Membership, Partnership, Structure
from citemploi.people import services
from citemploi.people.enums import AgeBand, ConsentScope
from citemploi.people.models import Beneficiary, Consent, FollowUpMember, SensitiveInfo
from citemploi.territory.models import QPV, Cite

#: the reference date of the generated data: any past day (consents cannot be dated in the future)
TODAY = date.today() - timedelta(days=3)
FICTION_PHONE = re.compile(r"^(06 39 98|01 99 00) \d\d \d\d$")
FICTION_EMAIL = re.compile(r"^[a-z0-9.\-]+@example\.(org|com)$")
AMIENS_QPV = {
    "QN08001M": "Etouvie",
    "QN08002M": "Pierre Rollin",
    "QN08003M": "Amiens Nord",
    "QN08004M": "Marcel Paul - Salamandre",
    "QN08005M": "Condorcet - Philéas Lebesgue",
    "QN08006M": "Les Parcheminiers",
}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo(db):
    build_amiens(seed=2023, today=TODAY)
    return Cite.objects.get(slug="amiens-metropole")


def test_the_demo_cite_and_its_six_qpv(demo):
    assert demo.name == "Amiens Métropole"
    assert demo.label_date == date(2021, 7, 10)
    assert demo.copilots == "Préfecture de la Somme / Amiens Métropole"
    assert demo.epci_siren == "248000531"
    assert dict(demo.qpvs.values_list("code", "name")) == AMIENS_QPV
    assert set(demo.communes.values_list("insee_code", "name", "department")) == {("80021", "Amiens", "080")}
    for qpv in demo.qpvs.all():
        assert qpv.department == "080"
        assert list(qpv.communes.values_list("insee_code", flat=True)) == ["80021"]


def test_partners_of_the_real_kinds_with_their_partnership(demo):
    structures = Structure.objects.filter(partnerships__cite=demo)
    assert 20 <= structures.count() <= 30
    kinds = set(structures.values_list("kind", flat=True))
    assert kinds >= {
        StructureKind.FRANCE_TRAVAIL,
        StructureKind.CAP_EMPLOI,
        StructureKind.MISSION_LOCALE,
        StructureKind.PLIE,
        StructureKind.DEPARTEMENT,
        StructureKind.REGION,
        StructureKind.STATE,
        StructureKind.COMMUNE_EPCI,
        StructureKind.CCAS,
        StructureKind.SOCIAL_LANDLORD,
        StructureKind.ASSOCIATION,
        StructureKind.SOCIAL_CENTRE,
        StructureKind.TRAINING,
        StructureKind.SIAE,
        StructureKind.EMPLOYER,
        StructureKind.CITIZENS,
        StructureKind.JUSTICE,
        StructureKind.HEALTH_SOCIAL,
    }
    assert structures.filter(name="Cap emploi de la Somme").exists()
    assert structures.filter(name__startswith="Mission locale", name__contains="Grand Amiénois").exists()
    assert set(structures.filter(sensitive=True).values_list("name", flat=True)) == {
        "SPIP de la Somme",
        "CSAPA d'Amiens (addictologie)",
    }
    for partnership in Partnership.objects.filter(cite=demo).prefetch_related("qpvs"):
        assert partnership.role and partnership.cooperation_format and partnership.since
        assert {q.code for q in partnership.qpvs.all()} <= set(AMIENS_QPV)
        assert partnership.qpvs.exists()
    assert AuditEvent.objects.filter(code="structure.create", cite=demo).count() == structures.count()


def test_every_role_has_a_login_with_the_demo_password(demo, client):
    memberships = Membership.objects.filter(user__email__in=[p.email for p in amiens.PERSONAS])
    assert set(memberships.values_list("role", flat=True)) == set(Role.values)
    association = User.objects.get(email="membre.association@example.org")
    roles = dict(association.memberships.values_list("role", "structure__kind"))
    assert roles == {Role.PARTNER_MEMBER: StructureKind.ASSOCIATION, Role.HOLDER: StructureKind.ASSOCIATION}
    assert association.memberships.values("structure").distinct().count() == 1
    assert memberships.filter(role=Role.REFERENT).count() >= 8
    assert User.objects.get(email="anct@example.org").memberships.get().cite is None
    for user in User.objects.all():
        assert user.has_usable_password()
        assert identify_hasher(user.password).algorithm == get_hasher().algorithm
        assert user.check_password(DEMO_PASSWORD)
    for persona in amiens.PERSONAS:
        assert client.login(username=persona.email, password=DEMO_PASSWORD)
    # Every membership creation is audited.
    assert AuditEvent.objects.filter(code="membership.add").count() == Membership.objects.count()


def test_about_150_varied_people(demo):
    people = list(Beneficiary.objects.filter(cite=demo).select_related("qpv"))
    assert len(people) == 150
    bands = Counter(p.age_band for p in people)
    assert set(bands) == set(AgeBand.values)
    assert all(count >= 15 for count in bands.values())
    genders = Counter(p.gender for p in people)
    assert genders["F"] >= 50 and genders["M"] >= 50
    assert len({p.qpv.code for p in people if p.qpv}) == 6
    in_qpv = [p for p in people if p.qpv]
    assert len(in_qpv) >= 130
    assert sum(p.qpv_evidence_method != "unknown" for p in in_qpv) >= 100
    assert all(
        p.qpv_list_version == "2024" and p.qpv_evidence_date
        for p in in_qpv
        if p.qpv_evidence_method != "unknown"
    )
    assert 15 <= sum(p.invisible_at_identification for p in people) <= 70
    assert sum(p.rsa for p in people) >= 10
    assert sum(p.ass for p in people) >= 1
    assert sum(p.cej for p in people) >= 5
    assert len({p.reperage_channel for p in people}) >= 6
    assert all(p.city == "Amiens" and p.postcode in {"80000", "80080", "80090"} for p in people)
    assert len({(p.first_name, p.last_name) for p in people}) >= 140
    assert all(p.identified_on <= TODAY for p in people)


def test_people_keep_the_invariants_of_the_services(demo):
    people = Beneficiary.objects.filter(cite=demo).select_related("responsible_structure", "referent")
    for person in people:
        assert person.identity_key == services.identity_key(
            person.first_name, person.last_name, person.birth_date
        )
        assert person.invisible_at_identification == (not person.ft_registered and not person.spe_followed)
        person.full_clean(exclude=["identity_key", "created_by", "cite", "responsible_structure"])
        if person.referent is not None:
            assert Membership.objects.filter(
                user=person.referent, structure=person.responsible_structure, role=Role.REFERENT
            ).exists()
    assert AuditEvent.objects.filter(code="beneficiary.create", cite=demo).count() == 150


def test_consents_follow_up_groups_and_sensitive_information(demo):
    people = Beneficiary.objects.filter(cite=demo)
    consents = Consent.objects.filter(beneficiary__in=people)
    assert consents.filter(scope=ConsentScope.FOLLOW_UP).count() >= 130
    assert consents.filter(scope=ConsentScope.SHARING).count() >= 80
    assert consents.filter(withdrawn_on__isnull=False).exists()
    assert all(c.given_on <= TODAY for c in consents)
    members = FollowUpMember.objects.filter(beneficiary__in=people).select_related("structure", "beneficiary")
    assert members.count() >= 20
    for member in members:
        assert not member.structure.sensitive
        assert member.structure_id != member.beneficiary.responsible_structure_id
    infos = SensitiveInfo.objects.filter(beneficiary__in=people).select_related("beneficiary")
    assert 3 <= infos.count() <= 40
    assert all(info.beneficiary.referent_id == info.updated_by_id for info in infos)
    assert infos.filter(justice_followup=True, beneficiary__responsible_structure__kind="justice").exists()
    assert infos.filter(
        addiction_care=True, beneficiary__responsible_structure__name__startswith="CSAPA"
    ).exists()
    assert AuditEvent.objects.filter(code="consent.record").count() == consents.count()
    assert AuditEvent.objects.filter(code="followup.add").count() == members.count()
    assert AuditEvent.objects.filter(code="beneficiary.sensitive_update").count() == infos.count()


def test_contact_details_are_fictitious(demo):
    people = Beneficiary.objects.filter(cite=demo)
    emails = [e for e in people.values_list("email", flat=True) if e]
    phones = [p for p in people.values_list("phone", flat=True) if p]
    assert len(emails) >= 80 and len(phones) >= 100
    assert all(FICTION_EMAIL.match(e) for e in emails), emails
    assert all(FICTION_PHONE.match(p) for p in phones), phones
    assert {p[:8] for p in phones} == {"06 39 98", "01 99 00"}
    for structure in Structure.objects.all():
        assert FICTION_EMAIL.match(structure.email)
        assert FICTION_PHONE.match(structure.phone)
    assert all(FICTION_EMAIL.match(e) for e in User.objects.values_list("email", flat=True))


def test_same_seed_same_data_other_seed_other_data(db):
    with transaction.atomic():
        build_amiens(seed=7, today=TODAY)
        first = demo_digest()
        transaction.set_rollback(True)
    assert not Cite.objects.exists()
    with transaction.atomic():
        build_amiens(seed=8, today=TODAY)
        other = demo_digest()
        transaction.set_rollback(True)
    build_amiens(seed=7, today=TODAY)
    assert demo_digest() == first
    assert other != first


def test_the_command_and_if_empty(db):
    out = run("demo", "--if-empty", "--seed", "3")
    assert "Cité de démonstration « Amiens Métropole » créée" in out
    assert "150 personnes accompagnées" in out
    assert "La base contient déjà une cité" in run("demo", "--if-empty")
    assert Cite.objects.count() == 1
    assert Beneficiary.objects.count() == 150
    with pytest.raises(CommandError, match="existe déjà"):
        run("demo")


def test_demo_logins_lists_one_login_per_role(db):
    assert "lancez « citemploi demo »" in run("demo_logins")
    build_amiens(seed=1, people=5, today=TODAY)
    out = run("demo_logins")
    assert "http://127.0.0.1:8000" in out
    assert DEMO_PASSWORD in out
    emails = {p.key: p.email for p in amiens.PERSONAS}
    for login in DEMO_LOGINS:
        assert f"{login.title} : {emails[login.persona]}" in out
        assert login.can in out
    roles = {
        r for p in amiens.PERSONAS if p.key in {x.persona for x in DEMO_LOGINS} for r, _ in p.memberships
    }
    assert roles == set(Role.values)


def test_benchmark_data_sets(db):
    out = run("demo", "--cites", "3", "--people", "300", "--seed", "5")
    assert "3 cités" in out and "300 personnes" in out
    cites = list(Cite.objects.order_by("name"))
    assert [c.name for c in cites] == ["Marseille", "Paris", "Strasbourg"]
    for cite in cites:
        assert cite.beneficiaries.count() == 100
        assert cite.qpvs.count() == 3
        assert all(
            re.match(r"^QN\d{3}\d{2}[A-Z]$", code) for code in cite.qpvs.values_list("code", flat=True)
        )
        structures = Structure.objects.filter(partnerships__cite=cite)
        assert structures.filter(sensitive=True).count() == 2
        assert Membership.objects.filter(cite=cite, role=Role.COORDINATOR).count() == 1
        assert Membership.objects.filter(cite=cite, role=Role.REFERENT).count() >= 8
    people = Beneficiary.objects.select_related("referent", "responsible_structure")
    for person in people:
        assert person.identity_key == services.identity_key(
            person.first_name, person.last_name, person.birth_date
        )
        assert person.invisible_at_identification == (not person.ft_registered and not person.spe_followed)
        assert not person.email or FICTION_EMAIL.match(person.email)
        assert not person.phone or FICTION_PHONE.match(person.phone)
        person.full_clean(exclude=["identity_key", "created_by", "cite", "responsible_structure"])
    assert AuditEvent.objects.filter(code="beneficiary.create").count() == 300
    # The audit rows are those the service would have written.
    for person in people.select_related("qpv", "referent")[:40]:
        event = AuditEvent.objects.get(code="beneficiary.create", beneficiary_id=person.pk)
        assert event.changes == {
            f: [None, _jsonable(getattr(person, f))] for f in services.BENEFICIARY_FIELDS
        }
        assert event.actor_id == person.created_by_id
        assert event.cite_id == person.cite_id
    assert AuditEvent.objects.filter(code="consent.record").count() == Consent.objects.count()
    assert AuditEvent.objects.filter(code="followup.add").count() == FollowUpMember.objects.count()
    assert AuditEvent.objects.filter(code="membership.add").count() == Membership.objects.count()
    assert Membership.objects.filter(role=Role.NATIONAL).count() == 1
    # Another run adds the next cities.
    run("demo", "--cites", "2", "--people", "10")
    assert Cite.objects.count() == 5


def test_benchmark_is_deterministic_whatever_the_batch_size(db):
    with transaction.atomic():
        build_bench(cites=2, people=120, seed=11, today=TODAY, batch_size=1000)
        first = demo_digest()
        transaction.set_rollback(True)
    build_bench(cites=2, people=120, seed=11, today=TODAY, batch_size=7)
    assert demo_digest() == first


def test_benchmark_after_the_demo_shares_the_national_login(demo):
    build_bench(cites=1, people=10, seed=1, today=TODAY)
    assert Membership.objects.filter(role=Role.NATIONAL).count() == 1
    assert QPV.objects.filter(code__startswith="QN080").count() == 6


def test_slots_keep_the_mix_for_any_size():
    for total in (0, 1, 7, 150, 2501):
        kinds = slots(total)
        assert len(kinds) == total
    mix = Counter(slots(150))
    assert mix[StructureKind.JUSTICE] == 3 and mix[StructureKind.HEALTH_SOCIAL] == 3
    assert mix[StructureKind.FRANCE_TRAVAIL] == 45
