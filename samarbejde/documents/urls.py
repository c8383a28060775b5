from django.urls import path

from samarbejde.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("person/<uuid:person_id>/", views.forms_for_person, name="forms_for_person"),
    path("person/<uuid:person_id>/ny/", views.form_create, name="form_create"),
    path("<uuid:pk>/", views.form_detail, name="form_detail"),
    path("<uuid:pk>/status/", views.form_status, name="form_status"),
    path("<uuid:pk>/pdf/", views.form_pdf, name="form_pdf"),
]
