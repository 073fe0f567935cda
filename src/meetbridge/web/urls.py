from django.contrib.auth import views as auth_views
from django.urls import path

from meetbridge.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("members", views.members, name="members"),
    path("audit", views.audit, name="audit"),
    path("sign-in", views.SignInView.as_view(), name="sign-in"),
    path("sign-out", auth_views.LogoutView.as_view(), name="sign-out"),
]
