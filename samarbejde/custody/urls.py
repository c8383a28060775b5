from django.urls import path

from samarbejde.custody import views

app_name = "custody"
urlpatterns = [
    path("", views.inmate_list, name="inmate_list"),
    path("ubesvarede/", views.unsettled_list, name="unsettled_list"),
    path("indsaettelse/", views.admission_create, name="admission_create"),
    path("adgang/", views.need_access, name="need_access"),
    path("forloeb/<uuid:pk>/", views.episode_detail, name="episode_detail"),
    path("forloeb/<uuid:pk>/afsoning/", views.episode_convert, name="episode_convert"),
    path("forloeb/<uuid:pk>/overfoersel/", views.episode_transfer, name="episode_transfer"),
    path("forloeb/<uuid:pk>/loesladelsesdato/", views.episode_release_date, name="episode_release_date"),
    path("forloeb/<uuid:pk>/loesladelse/", views.episode_release, name="episode_release"),
    path("forloeb/<uuid:pk>/koordinering/", views.episode_coordination, name="episode_coordination"),
    path("forloeb/<uuid:pk>/rettelse/", views.episode_correct, name="episode_correct"),
]
