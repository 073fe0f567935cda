"""Microsoft 365: an Entra ID app registration with application permissions, Microsoft Graph."""

from meetbridge.integrations.providers.microsoft.calendar import (
    GRAPH_SCOPE,
    MicrosoftConfig,
    MicrosoftGraphProvider,
)

__all__ = ["GRAPH_SCOPE", "MicrosoftConfig", "MicrosoftGraphProvider"]
