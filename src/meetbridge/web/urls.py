from django.contrib.auth import views as auth_views
from django.urls import path

from meetbridge.web import views
from meetbridge.web.forms import SignInForm

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in",
        auth_views.LoginView.as_view(
            template_name="web/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="sign-in",
    ),
    path("sign-out", auth_views.LogoutView.as_view(), name="sign-out"),
]
