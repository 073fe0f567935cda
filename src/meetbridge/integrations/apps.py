from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "meetbridge.integrations"
    label = "integrations"
