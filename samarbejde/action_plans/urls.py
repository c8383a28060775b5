from django.urls import path

from samarbejde.action_plans import views

app_name = "action_plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("forloeb/<uuid:episode_pk>/opret/", views.plan_start, name="start"),
    path("<uuid:pk>/", views.plan_detail, name="detail"),
    path("<uuid:pk>/gem/", views.plan_edit, name="edit"),
    path("<uuid:pk>/indsatser/", views.action_create, name="action_create"),
    path("<uuid:pk>/indsatser/<uuid:action_pk>/", views.action_edit, name="action_edit"),
    path("<uuid:pk>/deling/", views.plan_share, name="share"),
    path("<uuid:pk>/kommentarer/", views.comment_create, name="comment"),
    path("<uuid:pk>/versioner/<int:number>/", views.version_detail, name="version"),
    path("<uuid:pk>/pdf/", views.plan_pdf, name="pdf"),
    path("<uuid:pk>/klient/<str:language>/", views.plan_client, name="client"),
    path("kommune/<uuid:pk>/", views.municipal_detail, name="municipal_detail"),
    path("kommune/<uuid:pk>/indsatser/", views.municipal_action_create, name="municipal_action"),
    path("kommune/<uuid:pk>/indsatser/<uuid:action_pk>/", views.municipal_action_edit, name="municipal_action_edit"),
    path("kommune/<uuid:pk>/reference/", views.municipal_reference, name="municipal_reference"),
    path("kommune/<uuid:pk>/kommentarer/", views.municipal_comment, name="municipal_comment"),
]
