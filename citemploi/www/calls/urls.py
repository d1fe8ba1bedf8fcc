"""/appels-a-projets/: the public list and pages of the calls, then the screens of each role."""

from django.urls import path

from citemploi.www.calls.views import applications, committee, followup, instruction, manage, public

app_name = "calls"
urlpatterns = [
    # Public (no account needed); signed-in users also see their cité's calls and their links.
    path("", public.call_list, name="list"),
    path("<int:pk>/", public.call_detail, name="detail"),
    # Coordination: the call, its rules, grid and documents
    path("nouveau/", manage.call_create, name="create"),
    path("<int:pk>/modifier/", manage.call_edit, name="edit"),
    path("<int:pk>/regles/", manage.call_rules, name="rules"),
    path("<int:pk>/regles/<int:rule_pk>/", manage.rule_edit, name="rule_edit"),
    path("<int:pk>/regles/<int:rule_pk>/retrait/", manage.rule_delete, name="rule_delete"),
    path("<int:pk>/grille/", manage.call_criteria, name="criteria"),
    path("<int:pk>/grille/<int:criterion_pk>/", manage.criterion_edit, name="criterion_edit"),
    path("<int:pk>/pieces/", manage.call_documents, name="documents"),
    path("<int:pk>/pieces/<int:document_pk>/retrait/", manage.document_delete, name="document_delete"),
    path("<int:pk>/etat/", manage.call_transition, name="transition"),
    path("<int:pk>/cloner/", manage.call_clone, name="clone"),
    path("<int:pk>/dossiers/", manage.call_files, name="files"),
    path("<int:pk>/export.xlsx", manage.call_export, name="export"),
    path("<int:pk>/subventions.csv", manage.call_open_data, name="open_data"),
    # Files
    path("<int:pk>/deposer/", applications.application_create, name="application_create"),
    path("dossiers/", applications.application_list, name="applications"),
    path("dossiers/<int:pk>/", applications.application_detail, name="application_detail"),
    path(
        "dossiers/<int:pk>/rubriques/<str:section>/", applications.application_edit, name="application_edit"
    ),
    path(
        "dossiers/<int:pk>/rubriques/<str:section>/verifier/",
        applications.application_check,
        name="application_check",
    ),
    path(
        "dossiers/<int:pk>/pieces/<int:document_pk>/",
        applications.document_download,
        name="document_download",
    ),
    path(
        "dossiers/<int:pk>/pieces/<int:document_pk>/retrait/",
        applications.document_delete,
        name="document_delete_file",
    ),
    path("dossiers/<int:pk>/depot/", applications.application_submit, name="application_submit"),
    path("dossiers/<int:pk>/retrait/", applications.application_withdraw, name="application_withdraw"),
    path("dossiers/<int:pk>/action-financee/", applications.funded_links, name="funded_links"),
    path("dossiers/<int:pk>/messages/", applications.application_messages, name="application_messages"),
    path(
        "dossiers/<int:pk>/versions/<int:number>/accuse-reception.pdf",
        applications.application_receipt,
        name="receipt",
    ),
    # Instruction
    path("dossiers/<int:pk>/instruction/", instruction.instruct, name="instruct"),
    path("instruction/", instruction.review_list, name="review_list"),
    path("instruction/<int:pk>/declaration/", instruction.declaration, name="declaration"),
    path("instruction/<int:pk>/evaluation/", instruction.evaluation, name="evaluation"),
    # Steering committee
    path("comites/", committee.session_list, name="sessions"),
    path("<int:pk>/comites/nouveau/", committee.session_create, name="session_create"),
    path("comites/<int:pk>/", committee.session_detail, name="session"),
    path("comites/<int:pk>/seance/", committee.session_update, name="session_update"),
    path("comites/<int:pk>/decisions/<int:decision_pk>/", committee.decision_save, name="decision_save"),
    path(
        "comites/<int:pk>/decisions/<int:decision_pk>/lettre.pdf",
        committee.decision_letter,
        name="decision_letter",
    ),
    path("comites/<int:pk>/scenarios/", committee.scenario_save, name="scenario_save"),
    path(
        "comites/<int:pk>/scenarios/<int:scenario_pk>/appliquer/",
        committee.scenario_apply,
        name="scenario_apply",
    ),
    path("comites/<int:pk>/cloture/", committee.session_lock, name="session_lock"),
    path("comites/<int:pk>/releve.pdf", committee.session_minutes, name="minutes"),
    # After the decision
    path("dossiers/<int:pk>/convention/", followup.agreement, name="agreement"),
    path("dossiers/<int:pk>/convention/gestion/", followup.agreement_manage, name="agreement_manage"),
    path("dossiers/<int:pk>/convention.pdf", followup.agreement_pdf, name="agreement_pdf"),
    path("dossiers/<int:pk>/bilan/", followup.report, name="report"),
    path("dossiers/<int:pk>/bilan/examen/", followup.report_review, name="report_review"),
]
