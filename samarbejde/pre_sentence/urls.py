from django.urls import path

from samarbejde.pre_sentence import views

app_name = "pre_sentence"
urlpatterns = [
    path("", views.investigation_list, name="investigation_list"),
    path("ny/", views.investigation_create, name="investigation_create"),
    path("<uuid:pk>/", views.investigation_detail, name="investigation_detail"),
    path("<uuid:pk>/anmodning/", views.request_send, name="request_send"),
    path("<uuid:pk>/afslut/", views.investigation_close, name="investigation_close"),
    path("<uuid:pk>/erklaering.pdf", views.investigation_report, name="investigation_report"),
]
