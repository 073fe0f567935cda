from django.apps import AppConfig
from django.conf import settings


class IntegrationsConfig(AppConfig):
    name = "meetbridge.integrations"
    label = "integrations"

    def ready(self) -> None:
        # Server processes share provider access tokens when a shared cache is configured
        # (REDIS_URL), so adding processes does not multiply token exchanges.
        if "tokens" in settings.CACHES:
            from django.core.cache import caches

            from meetbridge.integrations.access import vault
            from meetbridge.integrations.shared_tokens import CacheSharedTokens
            from meetbridge.integrations.tokens import TOKENS

            TOKENS.shared = CacheSharedTokens(caches["tokens"], vault)
