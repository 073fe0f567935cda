from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "meetbridge.jobs"
    label = "jobs"
