from django.contrib.auth import views as auth_views
from django.urls import path

from meetbridge.web import members, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("members", members.members, name="members"),
    path("members/invitations", members.invite, name="invite"),
    path("members/invitations/<int:invitation_id>", members.invitation_action, name="invitation"),
    path("members/people/<int:person_id>/role", members.change_role, name="member-role"),
    path("members/people/<int:person_id>/remove", members.remove, name="member-remove"),
    path("members/join-policy", members.join_policy, name="join-policy"),
    path("audit", views.audit, name="audit"),
    path("sign-out", auth_views.LogoutView.as_view(), name="sign-out"),
]
