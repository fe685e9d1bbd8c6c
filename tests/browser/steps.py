"""What a listener does on the page, as reusable steps (Playwright locators by role and name)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def open_page(page: Any, url: str) -> None:
    """Open the page and wait until it knows who is logged in."""
    page.goto(url + "/")
    expect(page.locator("#account-state")).not_to_contain_text("Checking")


def log_in(page: Any) -> None:
    """Press "Log in with Spotify" and come back logged in (the stand-in consents at once)."""
    page.get_by_role("link", name="Log in with Spotify").first.click()
    expect(page.locator("#account-state")).to_contain_text("Logged in as")


def search(page: Any, text: str) -> Any:
    """Type into "Search tracks" like a person; return the listbox once it shows options."""
    box = page.get_by_role("combobox", name="Search tracks")
    box.fill("")
    box.press_sequentially(text, delay=20)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_be_visible()
    return listbox


def pick_with_keyboard(page: Any, downs: int = 1) -> str:
    """Arrow down `downs` times and press Enter; return the chosen option's text."""
    box = page.get_by_role("combobox", name="Search tracks")
    for _ in range(downs):
        box.press("ArrowDown")
    chosen = page.locator("#results [aria-selected=true]").inner_text()
    box.press("Enter")
    expect(page.locator("#seed-text")).to_be_visible()
    return str(chosen)


def generate(page: Any, *, length: int | None = None) -> dict[str, Any]:
    """Press "Generate playlist" and return the API's answer once the page shows it."""
    if length is not None:
        page.locator("#length").fill(str(length))
    with page.expect_response(
        lambda r: r.url.endswith("/api/playlists") and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="Generate playlist").click()
    body: dict[str, Any] = answer.value.json()
    expect(page.locator("#result-heading")).to_have_text(body.get("name", ""))
    return body


def shown_titles(page: Any) -> list[str]:
    """Return the titles of the playlist on screen, in order."""
    playlist = page.get_by_role("list", name="Playlist")
    return list(playlist.locator(":scope > li .t").all_inner_texts())


def stored_titles(page: Any, playlist_id: int) -> list[str]:
    """Return the titles of the playlist as the API has it (same cookies as the page)."""
    body = page.request.get(f"/api/playlists/{playlist_id}").json()
    return [item["track"]["title"] for item in body["items"]]
