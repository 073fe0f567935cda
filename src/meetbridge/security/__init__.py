"""Browser and transport hardening that every page and API answer shares (headers, the admin)."""
