"""Calendar-provider implementations, one package each (Google Workspace first)."""
