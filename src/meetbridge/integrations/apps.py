from django.apps import AppConfig
from django.conf import settings


class IntegrationsConfig(AppConfig):
    name = "meetbridge.integrations"
    label = "integrations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from meetbridge.integrations.access import forget_credentials_in_service
        from meetbridge.integrations.models import Credential, Integration
        from meetbridge.tenants.models import Tenant

        for model in (Credential, Integration, Tenant):
            for signal in (post_save, post_delete):
                signal.connect(forget_credentials_in_service, sender=model, weak=False)
        # Server processes share provider access tokens when a shared cache is configured
        # (REDIS_URL), so adding processes does not multiply token exchanges.
        if "tokens" in settings.CACHES:
            from django.core.cache import caches

            from meetbridge.integrations.access import vault
            from meetbridge.integrations.shared_tokens import CacheSharedTokens
            from meetbridge.integrations.tokens import TOKENS

            TOKENS.shared = CacheSharedTokens(caches["tokens"], vault)
