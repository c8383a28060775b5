from django.urls import path

from samarbejde.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("person/<uuid:person_id>/", views.subject_report, name="subject_report"),
    path("begrundede-adgange/", views.access_grant_list, name="access_grants"),
]
