from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from samarbejde.api import views

app_name = "api"
urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path("municipalities/<str:code>/", views.MunicipalityDetailView.as_view(), name="municipality_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
]
