"""Google Workspace: service-account keys with domain-wide delegation, Calendar API v3."""

from meetbridge.integrations.providers.google.calendar import (
    CALENDAR_SCOPE,
    GoogleConfig,
    GoogleWorkspaceProvider,
)

__all__ = ["CALENDAR_SCOPE", "GoogleConfig", "GoogleWorkspaceProvider"]
