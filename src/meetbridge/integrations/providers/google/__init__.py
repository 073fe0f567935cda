"""Google Workspace: service-account keys with domain-wide delegation, Calendar API v3.

The registry finds this provider through `kind.GOOGLE`; nothing outside this folder names it.
"""
