from django.urls import path

from samarbejde.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("kommuner/", views.municipality_list, name="municipality_list"),
    path("kommuner/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("lovgrundlag/", views.legal_basis, name="legal_basis"),
    path("dokumenter/", views.documents, name="documents"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("personoplysninger/", views.privacy, name="privacy"),
]
