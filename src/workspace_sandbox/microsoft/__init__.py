"""A local stand-in for Microsoft 365 as an app-only calendar client sees it: Entra ID's
client-credentials token endpoint and Microsoft Graph's calendar routes, served over HTTPS.

Stands alone: it imports nothing from meetbridge. Wire formats, error codes and texts follow
Microsoft's (see docs/sandbox.md, "Microsoft 365").
"""
