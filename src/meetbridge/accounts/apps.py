from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "meetbridge.accounts"
    label = "accounts"
    verbose_name = "Sign-in"
