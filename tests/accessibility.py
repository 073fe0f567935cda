"""axe-core in the browser tests: installed from the npm registry by `scripts/ensure-axe.sh`
(`make test` runs it), evaluated in the page by Playwright (not a script tag, so a strict
Content-Security-Policy does not stop it)."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = (
    Path(__file__).resolve().parents[1] / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
GRAVE = ("critical", "serious")


def grave_violations(page) -> list[dict]:
    """axe's critical and serious findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `sh scripts/ensure-axe.sh` (make test does).")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in GRAVE]
