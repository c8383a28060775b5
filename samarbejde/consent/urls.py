from django.urls import path

from samarbejde.consent import views

app_name = "consent"
urlpatterns = [
    path("person/<uuid:person_pk>/ny/", views.consent_create, name="create"),
    path("person/<uuid:person_pk>/erklaering.pdf", views.consent_blank_form, name="blank_form"),
    path("tilsidesaettelser/", views.override_list, name="override_list"),
    path("<uuid:pk>/", views.consent_detail, name="detail"),
    path("<uuid:pk>/tilbagekald/", views.consent_revoke, name="revoke"),
    path("<uuid:pk>/underskrevet.pdf", views.consent_signed_form, name="signed_form"),
]
