from django.urls import path

from samarbejde.organisations import views

app_name = "organisations"
urlpatterns = [
    path("aendringsforslag/", views.change_request_list, name="change_request_list"),
    path("kommuner/<str:code>/aendringsforslag/", views.change_request_list, name="change_request_create"),
]
