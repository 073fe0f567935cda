from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "meetbridge.scheduling"
    label = "scheduling"
