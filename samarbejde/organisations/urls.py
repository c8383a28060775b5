from django.urls import path

from samarbejde.organisations import views

app_name = "organisations"
urlpatterns = [
    path("aendringsforslag/", views.change_request_list, name="change_request_list"),
    path("aendringsforslag/<uuid:pk>/", views.change_request_detail, name="change_request_detail"),
    path("aendringsforslag/<uuid:pk>/afgoerelse/", views.change_request_review, name="change_request_review"),
    path("kommuner/<str:code>/aendringsforslag/", views.change_request_create, name="change_request_create"),
    path(
        "kommuner/<str:code>/fordeling/aendringsforslag/",
        views.route_change_request_create,
        name="route_change_request_create",
    ),
    path("kommuner/<str:code>/historik/", views.contact_history, name="contact_history"),
]
