from django.urls import path

from samarbejde.accounts import views

app_name = "accounts"
urlpatterns = [
    path("log-ind/", views.LoginView.as_view(), name="login"),
    path("log-ud/", views.logout_view, name="logout"),
    path("skift-organisation/", views.switch_membership, name="switch_membership"),
    path("totp/opsaet/", views.otp_setup, name="otp_setup"),
    path("totp/bekraeft/", views.otp_verify, name="otp_verify"),
]
