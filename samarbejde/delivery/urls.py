from django.urls import path

from samarbejde.delivery import views

app_name = "delivery"
urlpatterns = [
    path("leveringer/", views.dashboard, name="dashboard"),
]
