from django.urls import path

from citemploi.www.partnership.views import committees, employers, events, home, roadmap

app_name = "partnership"
urlpatterns = [
    path("", home.home, name="home"),
    path("reseau.svg", home.network_svg, name="network_svg"),
    # Committees and meetings
    path("instances/", committees.committee_list, name="committee_list"),
    path("instances/nouvelle/", committees.committee_create, name="committee_create"),
    path("instances/<int:pk>/", committees.committee_detail, name="committee_detail"),
    path("instances/<int:pk>/modifier/", committees.committee_edit, name="committee_edit"),
    path("instances/<int:pk>/membres/", committees.committee_member_add, name="committee_member_add"),
    path(
        "instances/<int:pk>/membres/<int:member_pk>/retrait/",
        committees.committee_member_remove,
        name="committee_member_remove",
    ),
    path("instances/<int:pk>/reunions/nouvelle/", committees.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", committees.meeting_detail, name="meeting_detail"),
    path("reunions/<int:pk>/modifier/", committees.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/compte-rendu.pdf", committees.meeting_minutes, name="meeting_minutes"),
    path("reunions/<int:pk>/invitation.ics", committees.meeting_calendar, name="meeting_calendar"),
    path("reunions/<int:pk>/invitations/", committees.meeting_invite, name="meeting_invite"),
    # Roadmap
    path("feuille-de-route/", roadmap.roadmap, name="roadmap"),
    path("feuille-de-route/objectifs/nouveau/", roadmap.objective_create, name="objective_create"),
    path("feuille-de-route/objectifs/<int:pk>/modifier/", roadmap.objective_edit, name="objective_edit"),
    path(
        "feuille-de-route/objectifs/<int:pk>/actions/nouvelle/", roadmap.action_create, name="action_create"
    ),
    path("feuille-de-route/actions/<int:pk>/modifier/", roadmap.action_edit, name="action_edit"),
    path("feuille-de-route/actions/<int:pk>/statut/", roadmap.action_status, name="action_status"),
    # Events
    path("evenements/", events.event_list, name="event_list"),
    path("evenements/export.<str:fmt>", events.event_export, name="event_export"),
    path("evenements/nouveau/", events.event_create, name="event_create"),
    path("evenements/<int:pk>/", events.event_detail, name="event_detail"),
    path("evenements/<int:pk>/modifier/", events.event_edit, name="event_edit"),
    path("evenements/<int:pk>/participants/recherche/", events.participant_search, name="participant_search"),
    path("evenements/<int:pk>/participants/", events.participant_add, name="participant_add"),
    path(
        "evenements/<int:pk>/participants/<int:participation_pk>/retrait/",
        events.participant_remove,
        name="participant_remove",
    ),
    path(
        "evenements/<int:pk>/participants/nouvelle-personne/",
        events.participant_register,
        name="participant_register",
    ),
    # Employers
    path("entreprises/", employers.employer_list, name="employer_list"),
    path("entreprises/nouvelle/", employers.employer_create, name="employer_create"),
    path("entreprises/<int:pk>/", employers.employer_detail, name="employer_detail"),
    path("entreprises/<int:pk>/modifier/", employers.employer_edit, name="employer_edit"),
    path("entreprises/<int:pk>/propositions/", employers.offer_add, name="offer_add"),
    path("entreprises/<int:pk>/propositions/<int:offer_pk>/fin/", employers.offer_end, name="offer_end"),
    path("entreprises/<int:pk>/contacts/", employers.contact_add, name="contact_add"),
    path(
        "entreprises/<int:pk>/contacts/<int:contact_pk>/retrait/",
        employers.contact_remove,
        name="contact_remove",
    ),
]
