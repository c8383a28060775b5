from django.urls import path

from samarbejde.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("kommuner/", views.municipality_list, name="municipality_list"),
    path("kommuner/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("lovgrundlag/", views.legal_basis, name="legal_basis"),
    path("dokumenter/", views.documents, name="documents"),
    path("dokumenter/<slug:slug>/", views.document_file, name="document_file"),
    path("dokumenter/<slug:slug>/v<int:number>/", views.document_file, name="document_version_file"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("personoplysninger/", views.privacy, name="privacy"),
]
