from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("anonymise/", views.anonymise, name="anonymise"),
    path("verification/", views.verification, name="verification"),
    path("verification/phone/", views.verify_phone, name="verify-phone"),
    path("verification/phone/code/", views.verify_code, name="verify-code"),
    path("verification/phone/resend/", views.resend_code, name="resend-code"),
    path("verification/eds/", views.verify_eds, name="verify-eds"),
    path("verification/in-person/", views.verify_in_person, name="verify-in-person"),
    path("signup/", views.signup, name="signup"),
    path("confirm/resend/", views.resend_confirmation, name="resend"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
