from django.urls import path

from samarbejde.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("start/", views.start, name="start"),
]
