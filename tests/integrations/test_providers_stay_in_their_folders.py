"""The meetings and scheduling apps work through `CalendarProvider` alone: they name no provider.

Adding a provider must never mean editing them, so their source (code, templates, scripts)
must not mention one by name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import meetbridge

APPS = ("meetings", "scheduling")
PROVIDER_NAMES = re.compile(r"google|microsoft|outlook|graph\.microsoft|gmail", re.IGNORECASE)
SOURCE_SUFFIXES = {".py", ".html", ".js", ".css", ".txt", ".md"}


def source_files(app: str) -> list[Path]:
    root = Path(meetbridge.__file__).parent / app
    return sorted(
        path for path in root.rglob("*") if path.suffix in SOURCE_SUFFIXES and path.is_file()
    )


@pytest.mark.parametrize("app", APPS)
def test_the_app_names_no_calendar_provider(app):
    files = source_files(app)
    assert files, f"no source found for {app}"
    mentions = [
        f"{path.relative_to(path.parents[1])}:{number}: {line.strip()[:80]}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROVIDER_NAMES.search(line)
    ]
    assert mentions == []
