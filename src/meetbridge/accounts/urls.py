from django.urls import path

from meetbridge.accounts import tokens_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/<slug:provider>/start", views.oidc_start, name="oidc-start"),
    path("sign-in/<slug:provider>/callback", views.oidc_callback, name="oidc-callback"),
    path("join/<str:token>", views.join, name="join"),
    path("join/<str:token>/<slug:provider>", views.join_with_provider, name="join-with"),
    path("password-reset", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("settings/api-tokens", tokens_views.tokens_page, name="api-tokens"),
    path("local/mail", views.local_mail, name="local-mail"),
]
