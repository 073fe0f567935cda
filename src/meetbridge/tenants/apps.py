from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "meetbridge.tenants"
    label = "tenants"
