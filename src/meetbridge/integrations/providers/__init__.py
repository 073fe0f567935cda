"""Calendar-provider implementations, one folder each; `integrations/registry.py` lists them.

A provider's folder may hold a `templates/` directory (its Integrations page partial); the
settings add every such directory to the template search path, so a provider stays one folder.
"""

from __future__ import annotations

from pathlib import Path


def template_dirs() -> list[Path]:
    """The `templates/` directory of every provider folder that has one."""
    here = Path(__file__).resolve().parent
    return sorted(path for path in here.glob("*/templates") if path.is_dir())
