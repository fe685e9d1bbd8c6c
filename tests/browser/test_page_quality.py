"""The page's quality bars in Chromium: CSP, weight, axe-core, 375 px, keyboard and focus."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import PageWatch, axe_violations, check_screen
from tests.browser.steps import generate, log_in, open_page, pick_with_keyboard, search

PAGE_WEIGHT_LIMIT = 150_000

# Everything a listener can reach on the first screen (logged out, nothing generated yet); a
# radio group is one tab stop (its arrow keys move between the choices).
KEY = "(el) => el.type === 'radio' ? 'radio:' + el.name : el.id || el.textContent.trim()"
FOCUSABLE = f"""
() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0
          && getComputedStyle(el).visibility !== 'hidden')
  .map({KEY})
"""
ACTIVE = f"""
() => {{
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {{
    key: ({KEY})(el),
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  }};
}}
"""


def test_page_is_served_with_a_strict_csp_and_under_the_weight_limit(
    page: Any, musaic: Any
) -> None:
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(_transferred(r)))
    response = page.goto(musaic.url + "/")
    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.get_by_text("Not logged in").wait_for()
    page.wait_for_load_state("networkidle")
    assert 0 < sum(sizes) < PAGE_WEIGHT_LIMIT, sizes
    inline = page.evaluate(
        "[...document.scripts].filter((s) => !s.src).length"
        " + document.querySelectorAll('style, [style]').length"
    )
    assert inline == 0


def _transferred(request: Any) -> int:
    sizes = request.sizes()
    return int(sizes["responseBodySize"] + sizes["responseHeadersSize"])


def test_a_csp_violation_is_caught_by_the_watch(chromium: Any, musaic: Any) -> None:
    context = chromium.new_context()
    page = context.new_page()
    watch = PageWatch(page, musaic.url)
    page.goto(musaic.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.head.append(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None  # the inline script never ran
    context.close()
    assert watch.csp_violations, "Chromium reported no CSP violation for an inline script"


def test_first_screen_passes_axe_and_fits_375_px(page: Any, musaic: Any) -> None:
    page.goto(musaic.url + "/")
    page.get_by_text("Not logged in").wait_for()
    check_screen(page, "start")


def test_axe_finds_a_planted_violation(page: Any, musaic: Any) -> None:
    page.goto(musaic.url + "/")
    page.get_by_text("Not logged in").wait_for()
    page.evaluate("document.querySelector('#search').removeAttribute('id')")  # label loses it
    assert any(v.startswith("label") or "aria" in v for v in axe_violations(page))


def _tab_through(page: Any) -> None:
    """Press Tab until past every control; each must be reached and show a focus ring."""
    wanted = set(page.evaluate(FOCUSABLE))
    reached: dict[str, bool] = {}
    for _ in range(2 * len(wanted) + 10):  # from wherever the focus is, round to it again
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        reached.setdefault(active["key"], active["ring"])
    assert wanted - set(reached) == set(), list(reached)
    assert [key for key, ring in reached.items() if key in wanted and not ring] == []


def test_keyboard_reaches_every_control_with_a_visible_focus(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    page.locator("#matcher option").first.wait_for(state="attached")
    _tab_through(page)
    page.locator("#pop-balanced").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#pop-discovery").is_checked()


def test_keyboard_reaches_every_control_of_a_saved_playlist(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    log_in(page)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    generate(page, length=6)
    page.get_by_role("button", name="Save to Spotify").press("Enter")
    expect(page.get_by_role("link", name="Open in Spotify")).to_be_visible()
    _tab_through(page)


def test_nothing_secret_is_in_the_page_or_its_storage(page: Any, musaic: Any) -> None:
    page.goto(musaic.url + "/")
    page.get_by_role("link", name="Log in with Spotify").click()
    page.get_by_text("Logged in as").wait_for()
    stored = page.evaluate(
        "({local: localStorage.length, session: sessionStorage.length, cookie: document.cookie})"
    )
    assert stored == {"local": 0, "session": 0, "cookie": ""}  # the session cookie is HttpOnly
    html = page.content()
    assert "access_token" not in html and "refresh_token" not in html
