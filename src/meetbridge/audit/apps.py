from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "meetbridge.audit"
    label = "audit"
