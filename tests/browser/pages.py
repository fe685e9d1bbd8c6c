"""Checks shared by the browser tests: CSP and script errors, axe-core, 375 px, screenshots."""

from __future__ import annotations

from typing import Any

from tests.conftest import REPO_DIR

AXE = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_DIR / "tests" / "artifacts"
PHONE = {"width": 375, "height": 800}
BLOCKING = ("serious", "critical")


class PageWatch:
    """Record console messages and uncaught errors of a page, to fail on CSP violations."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def assert_clean(self) -> None:
        """Fail when the page broke its CSP or threw an uncaught error."""
        assert self.csp_violations == [], self.csp_violations
        assert self.errors == [], self.errors


def axe_violations(page: Any) -> list[str]:
    """Run axe-core in the page; return its serious and critical violations, described."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP still holds for the page.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def horizontal_overflow(page: Any) -> int:
    """Return how many pixels the page is wider than its viewport (0 when it fits)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )


def check_screen(page: Any, name: str) -> None:
    """On desktop and at 375 px: no serious axe violation, no sideways scroll; screenshot both."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    desktop = page.viewport_size
    for label, size in (("desktop", desktop), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)  # one layout pass
        assert axe_violations(page) == [], f"{name} ({label})"
        if label == "phone":
            assert horizontal_overflow(page) == 0, f"{name} scrolls sideways at 375 px"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(desktop)
