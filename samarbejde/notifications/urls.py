from django.urls import path

from samarbejde.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/kvitter/", views.acknowledge, name="acknowledge"),
    path("<uuid:pk>/tildel/", views.assign, name="assign"),
    path("<uuid:pk>/svar/", views.answer, name="answer"),
    path("<uuid:pk>/traek-tilbage/", views.withdraw, name="withdraw"),
    path("bilag/<uuid:pk>/", views.attachment_download, name="attachment_download"),
]
