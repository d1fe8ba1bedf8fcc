from django.urls import path

from citemploi.www.people import protection, views

app_name = "people"
urlpatterns = [
    path("", views.beneficiary_list, name="list"),
    path("export.<str:fmt>", views.beneficiary_export, name="export"),
    path("nouvelle/", views.beneficiary_create, name="create"),
    path("<int:pk>/", views.beneficiary_detail, name="detail"),
    path("<int:pk>/modifier/", views.beneficiary_edit, name="edit"),
    path("<int:pk>/sensible/", views.beneficiary_sensitive, name="sensitive"),
    path("<int:pk>/consentements/", views.consent_record, name="consent_record"),
    path("<int:pk>/consentements/<int:consent_pk>/retrait/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/groupe-de-suivi/", views.followup_add, name="followup_add"),
    path("<int:pk>/groupe-de-suivi/<int:member_pk>/retrait/", views.followup_end, name="followup_end"),
    path("<int:pk>/droit-d-acces.<str:fmt>", views.right_of_access, name="right_of_access"),
    path("<int:pk>/acces-d-urgence/", protection.emergency_access, name="emergency_access"),
    path("<int:pk>/effacer/", protection.erase, name="erase"),
    path("acces-d-urgence/", protection.emergency_review, name="emergency_review"),
]
