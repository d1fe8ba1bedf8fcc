"""Rules of events: figures without double counting, privacy of named participants, registration of people
met at an event, recording by the organising structures."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.core.models import AuditEvent, AuditSubject
from citemploi.partnership import figures
from citemploi.partnership.models import Participation
from citemploi.partnership.queries import events as queries
from citemploi.partnership.services import events as services
from citemploi.people.enums import ReperageChannel
from citemploi.people.models import Beneficiary
from tests.factories import BeneficiaryFactory, ctx_for, in_followup_group, with_sharing_consent
from tests.partnership.factories import EventFactory, attended

pytestmark = pytest.mark.django_db


@pytest.fixture
def cafe(world):
    """A café emploi organised by France Travail with 10 people counted without names (4 women, 3 young,
    2 seniors, 6 living in a QPV)."""
    return EventFactory(
        cite=world.cite,
        organised_by=world.ft,
        date=date(2024, 3, 14),
        counted_total=10,
        counted_women=4,
        counted_young=3,
        counted_seniors=2,
        counted_qpv=6,
    )


@pytest.fixture
def awa(world):
    """A young woman of Amiens Nord followed by France Travail."""
    return BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        referent=world.referent_ft.user,
        first_name="Awa",
        last_name="Diallo",
        gender="F",
        birth_date=date(2000, 6, 1),
        qpv=world.qpv,
    )


@pytest.fixture
def karim(world):
    """A man of 56 living outside the QPV, followed by the Mission locale, not shared with France Travail."""
    return BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Karim",
        last_name="Benali",
        gender="M",
        birth_date=date(1968, 1, 10),
    )


# --- Figures ---------------------------------------------------------------------------------------------


def test_named_participants_are_added_to_the_counted_ones_without_double_counting(world, cafe, awa, karim):
    coordinator = ctx_for(world.coordinator)
    services.add_participant(ctx=coordinator, event=cafe, beneficiary=awa)
    services.add_participant(ctx=coordinator, event=cafe, beneficiary=karim)
    with pytest.raises(ValidationError):
        services.add_participant(ctx=coordinator, event=cafe, beneficiary=awa)  # named once per event
    result = figures.event_figures(cafe)
    assert result.total == 12
    assert {row.key: (row.counted, row.named, row.total) for row in result.rows} == {
        "total": (10, 2, 12),
        "young": (3, 1, 4),
        "women": (4, 1, 5),
        "seniors": (2, 1, 3),
        "qpv": (6, 1, 7),
    }
    # The annotated list gives the same figures as the event page.
    annotated = queries.with_named_figures(queries.events_for(coordinator)).get(pk=cafe.pk)
    assert figures.event_figures(annotated) == result


def test_summary_of_several_events_sums_participations_and_counts_people_once(world, cafe, awa):
    forum = EventFactory(
        cite=world.cite, forum=True, organised_by=world.ml, hours_delivered=7, found_count=40
    )
    cafe.hours_delivered, cafe.coordination_hours = 3, 2
    cafe.save()
    attended(cafe, awa)
    attended(forum, awa, first_met_here=True)
    summary = figures.summarise(queries.events_for(ctx_for(world.coordinator)))
    assert summary.events == 2
    assert summary.participants.total == 10 + 700 + 2
    assert summary.participants.get("women") == 4 + 380 + 2
    assert summary.distinct_named == 1 and summary.first_met == 1
    assert (summary.hours_delivered, summary.coordination_hours, summary.found) == (10, 2, 40)


def test_the_figures_of_a_named_person_survive_the_erasure_of_their_file(world, cafe, awa):
    attended(cafe, awa)
    awa.delete()
    result = figures.event_figures(cafe)
    assert (result.total, result.get("women"), result.get("young")) == (11, 5, 4)
    assert figures.summarise(queries.events_for(ctx_for(world.coordinator))).distinct_named == 1


def test_age_band_is_taken_on_the_event_date_and_follows_a_date_change(world, awa):
    # Awa (born 1 June 2000) is 25 until 31 May 2026: "jeunes" on a 2026-05-20 event, 26-49 on 2026-06-02.
    event = EventFactory(cite=world.cite, organised_by=world.ft, date=date(2026, 5, 20))
    ctx = ctx_for(world.coordinator)
    participation = services.add_participant(ctx=ctx, event=event, beneficiary=awa)
    assert participation.age_band == "jeunes"
    services.update_event(ctx=ctx, event=event, data={"date": date(2026, 6, 2)})
    participation.refresh_from_db()
    assert participation.age_band == "26-49"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"counted_women": 11}, "counted_women"),
        ({"counted_young": 6, "counted_seniors": 5}, "counted_seniors"),
        ({"counted_qpv": 12}, "counted_qpv"),
        ({"employed_count": 12}, "employed_count"),
    ],
)
def test_breakdowns_cannot_exceed_their_total(world, cafe, awa, changes, field):
    ctx = ctx_for(world.coordinator)
    attended(cafe, awa)
    with pytest.raises(ValidationError) as exc:
        services.update_event(ctx=ctx, event=cafe, data=changes)
    assert field in exc.value.message_dict
    cafe.refresh_from_db()
    assert cafe.counted_women == 4 and cafe.employed_count == 0  # nothing written


def test_results_may_count_named_participants(world, cafe, awa):
    attended(cafe, awa)
    event = services.update_event(ctx=ctx_for(world.coordinator), event=cafe, data={"hooked_count": 11})
    assert event.hooked_count == 11 and event.version == 2


# --- Privacy of named participants ---------------------------------------------------------------------


def test_each_viewer_sees_only_the_participants_they_may_see(world, cafe, awa, karim):
    attended(cafe, awa)
    attended(cafe, karim)
    by_ft = queries.participants_for(ctx_for(world.referent_ft), cafe)
    assert [p.beneficiary for p in by_ft.visible] == [awa] and by_ft.others == 1
    by_ml = queries.participants_for(ctx_for(world.referent_ml), cafe)
    assert [p.beneficiary for p in by_ml.visible] == [karim] and by_ml.others == 1
    by_coordinator = queries.participants_for(ctx_for(world.coordinator), cafe)
    assert {p.beneficiary for p in by_coordinator.visible} == {awa, karim} and by_coordinator.others == 0
    by_steering = queries.participants_for(ctx_for(world.steering), cafe)
    assert (by_steering.visible, by_steering.others, by_steering.names_allowed) == ([], 2, False)


def test_a_shared_person_is_visible_to_the_followup_group(world, cafe, awa):
    attended(cafe, awa)
    assert queries.participants_for(ctx_for(world.referent_ml), cafe).visible == []
    in_followup_group(awa, world.ml)
    with_sharing_consent(awa)
    assert [p.beneficiary for p in queries.participants_for(ctx_for(world.referent_ml), cafe).visible] == [
        awa
    ]


def test_the_list_of_named_participants_shown_is_audited(world, cafe, awa):
    attended(cafe, awa)
    queries.participants_for(ctx_for(world.referent_ft), cafe)
    event = AuditEvent.objects.get(code="beneficiary.event_participants")
    assert list(AuditSubject.objects.filter(event=event).values_list("beneficiary_id", flat=True)) == [awa.pk]


def test_attended_events_of_a_person_follow_who_may_see_them(world, cafe, awa):
    other = EventFactory(cite=world.cite, organised_by=world.ml, date=date(2024, 5, 2))
    attended(cafe, awa)
    attended(other, awa, first_met_here=True)
    rows = queries.attended_events_for(ctx_for(world.referent_ft), awa)
    assert [(r.event, r.first_met_here) for r in rows] == [(other, True), (cafe, False)]
    assert queries.attended_events_for(ctx_for(world.referent_ml), awa) == []
    assert queries.attended_events_for(ctx_for(world.steering), awa) == []
    assert queries.attended_events_for(ctx_for(world.other_coordinator), awa) == []


def test_one_cannot_attach_a_person_one_may_not_see(world, cafe, karim):
    with pytest.raises(PermissionDenied):
        services.add_participant(ctx=ctx_for(world.referent_ft), event=cafe, beneficiary=karim)
    with pytest.raises(PermissionDenied):
        services.add_participant(ctx=ctx_for(world.steering), event=cafe, beneficiary=karim)
    assert not Participation.objects.exists()


def test_search_offers_only_visible_people_not_yet_registered(world, cafe, awa, karim):
    ctx = ctx_for(world.referent_ft)
    assert queries.search_people_to_add(ctx, cafe, "diallo") == [awa]
    assert queries.search_people_to_add(ctx, cafe, "benali") == []
    attended(cafe, awa)
    assert queries.search_people_to_add(ctx, cafe, "diallo") == []


def test_removing_a_participant_keeps_their_file_and_is_audited(world, cafe, awa, karim):
    participation = attended(cafe, awa)
    hidden = attended(cafe, karim)
    with pytest.raises(PermissionDenied):
        services.remove_participant(ctx=ctx_for(world.referent_ft), participation=hidden)
    services.remove_participant(ctx=ctx_for(world.referent_ft), participation=participation)
    assert not Participation.objects.filter(pk=participation.pk).exists()
    assert Beneficiary.objects.filter(pk=awa.pk).exists()
    assert AuditEvent.objects.filter(code="event.participant_remove", beneficiary_id=awa.pk).exists()


# --- Registering a person met at the event ----------------------------------------------------------------

NEW_PERSON = {"first_name": "Inès", "last_name": "Moreau", "birth_date": date(1999, 9, 9), "gender": "F"}


def test_registering_a_new_person_creates_their_file_found_at_the_event(world, cafe):
    registration = services.register_new_participant(
        ctx=ctx_for(world.referent_ft), event=cafe, data=NEW_PERSON
    )
    person = registration.beneficiary
    assert registration.outcome == "created"
    assert person.reperage_channel == ReperageChannel.OUTREACH_EVENT
    assert person.identified_on == cafe.date
    assert person.responsible_structure == world.ft and person.referent == world.referent_ft.user
    assert registration.participation.first_met_here is True
    assert registration.participation.is_woman and registration.participation.age_band == "jeunes"
    assert AuditEvent.objects.filter(code="beneficiary.create", beneficiary_id=person.pk).exists()
    assert AuditEvent.objects.filter(code="event.participant_add", beneficiary_id=person.pk).exists()


def test_a_coordinator_registers_for_a_structure_without_naming_a_referent(world, cafe):
    registration = services.register_new_participant(
        ctx=ctx_for(world.coordinator), event=cafe, data=NEW_PERSON, responsible_structure=world.ml
    )
    assert registration.beneficiary.responsible_structure == world.ml
    assert registration.beneficiary.referent is None  # ready for a référent of the Mission locale


def test_registering_a_known_visible_person_attaches_their_file(world, cafe, awa):
    data = {"first_name": "AWA", "last_name": "diallo", "birth_date": awa.birth_date}
    registration = services.register_new_participant(ctx=ctx_for(world.referent_ft), event=cafe, data=data)
    assert (registration.outcome, registration.beneficiary) == ("existing_visible", awa)
    assert Beneficiary.objects.filter(last_name__iexact="diallo").count() == 1
    participation = Participation.objects.get(event=cafe, beneficiary=awa)
    assert participation.first_met_here is False
    awa.refresh_from_db()
    assert awa.reperage_channel == ReperageChannel.OTHER  # the existing file is not changed


def test_registering_a_person_the_user_may_not_see_reveals_nothing_but_records_the_attendance(
    world, cafe, karim
):
    data = {
        "first_name": "Karim",
        "last_name": "Benali",
        "birth_date": karim.birth_date,
        "email": "k@example.org",
    }
    ctx = ctx_for(world.referent_ft)
    registration = services.register_new_participant(ctx=ctx, event=cafe, data=data)
    assert registration.outcome == "existing_hidden"
    assert registration.beneficiary is None and registration.participation is None
    assert registration.message == "Cette personne est déjà connue de la cité, sa présence est enregistrée."
    assert Participation.objects.filter(event=cafe, beneficiary=karim).exists()
    assert Beneficiary.objects.filter(last_name="Benali").count() == 1
    karim.refresh_from_db()
    assert karim.email == ""  # nothing typed by the user is written on the hidden file
    listed = queries.participants_for(ctx, cafe)
    assert listed.visible == [] and listed.others == 1
    # Registering them again does not add a second attendance.
    assert services.register_new_participant(ctx=ctx, event=cafe, data=data).outcome == "existing_hidden"
    assert Participation.objects.filter(event=cafe, beneficiary=karim).count() == 1


def test_roles_without_named_participants_cannot_register(world, cafe):
    for membership in (world.steering, world.partner_member_ft):
        with pytest.raises(PermissionDenied):
            services.register_new_participant(ctx=ctx_for(membership), event=cafe, data=NEW_PERSON)
    assert not Beneficiary.objects.filter(last_name="Moreau").exists()


def test_an_event_of_another_cite_is_out_of_reach(world, awa):
    elsewhere = EventFactory(cite=world.other_cite, organised_by=world.other_structure)
    with pytest.raises(PermissionDenied):
        services.add_participant(ctx=ctx_for(world.coordinator), event=elsewhere, beneficiary=awa)
    assert queries.participants_for(ctx_for(world.coordinator), elsewhere).names_allowed is False


# --- Recording by the organising structures -------------------------------------------------------------------


def test_a_referent_records_an_event_of_their_own_structure(world):
    ctx = ctx_for(world.referent_ft)
    event = services.create_event(
        ctx=ctx,
        data={
            "kind": "job_dating",
            "title": "Job dating logistique",
            "date": date(2024, 4, 4),
            "counted_total": 25,
        },
        partners=[world.ml],
    )
    roles = {link.structure: link.role for link in event.structure_links.all()}
    assert roles == {world.ft: "organiser", world.ml: "partner"}
    assert queries.can_record(ctx, event)
    with pytest.raises(ValidationError):
        services.update_event(ctx=ctx, event=event, data={}, organisers=[world.ml], partners=[])


def test_a_referent_cannot_change_an_event_of_other_structures(world, cafe):
    ml_event = EventFactory(cite=world.cite, organised_by=world.ml)
    with pytest.raises(PermissionDenied):
        services.update_event(ctx=ctx_for(world.referent_ft), event=ml_event, data={"title": "Autre"})
    assert queries.events_for(ctx_for(world.referent_ft), "event.record").get() == cafe


def test_a_structure_cannot_be_both_organiser_and_partner(world):
    with pytest.raises(ValidationError):
        services.create_event(
            ctx=ctx_for(world.coordinator),
            data={"kind": "forum", "title": "Forum", "date": date(2024, 4, 4)},
            organisers=[world.ft],
            partners=[world.ft],
        )


def test_an_event_needs_structures_of_the_cite(world):
    with pytest.raises(ValidationError):
        services.create_event(
            ctx=ctx_for(world.coordinator),
            data={"kind": "forum", "title": "Forum", "date": date(2024, 4, 4)},
            organisers=[world.other_structure],
        )


def test_a_stale_event_edit_is_refused(world, cafe):
    ctx = ctx_for(world.coordinator)
    services.update_event(ctx=ctx, event=cafe, data={"title": "Nouveau titre"}, expected_version=1)
    with pytest.raises(services.StaleEdit):
        services.update_event(ctx=ctx, event=cafe, data={"title": "Autre titre"}, expected_version=1)
