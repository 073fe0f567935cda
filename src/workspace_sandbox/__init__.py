"""A local stand-in for Google's OAuth token endpoint and Calendar API v3.

Stands alone: it imports nothing from meetbridge.
"""
