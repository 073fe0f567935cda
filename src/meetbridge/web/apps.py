from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "meetbridge.web"
    label = "web"
