"""Saving to Spotify from the page: the whole journey, rate limits, logged out, downloads."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import check_screen
from tests.browser.steps import (
    generate,
    log_in,
    open_page,
    pick_with_keyboard,
    search,
    shown_titles,
    stored_titles,
)


def _only_standin_playlist(standin: Any) -> Any:
    playlists = list(standin.web_api.playlists.values())
    assert len(playlists) == 1, [p.name for p in playlists]
    return playlists[0]


def _spotify_uris(page: Any, playlist_id: int) -> list[str]:
    body = page.request.get(f"/api/playlists/{playlist_id}").json()
    return [f"spotify:track:{item['track']['spotify_id']}" for item in body["items"]]


def _save(page: Any) -> None:
    page.get_by_role("button", name="Save to Spotify").click()


def test_the_whole_journey_from_login_to_logout(page: Any, musaic: Any, standin: Any) -> None:
    open_page(page, musaic.url)
    log_in(page)
    search(page, "closre chainsmokers")  # misspelled on purpose
    chosen = pick_with_keyboard(page)
    assert "Closer" in chosen
    page.locator("#per-artist").fill("2")
    page.get_by_label("Mainstream").check()
    body = generate(page, length=12)
    assert len(body["items"]) == 12
    titles = shown_titles(page)
    playlist = page.get_by_role("list", name="Playlist")
    playlist.get_by_role("button", name=f"Remove: {titles[4]}").press("Enter")
    expect(playlist.locator(":scope > li")).to_have_count(11)
    playlist.get_by_role("button", name=f"Move up: {titles[3]}").press("Enter")
    expected = [titles[0], titles[1], titles[3], titles[2], *titles[5:]]
    expect(playlist.locator(":scope > li .t")).to_have_text(expected)
    assert stored_titles(page, body["id"]) == expected

    page.get_by_label("Name on Spotify").fill("Closer, and after")
    page.get_by_label("Description").fill("Made with Musaic")
    _save(page)
    expect(page.locator("#saved-text")).to_contain_text("Saved to your Spotify")
    saved = _only_standin_playlist(standin)
    link = page.get_by_role("link", name="Open in Spotify")
    expect(link).to_have_attribute("href", f"https://open.spotify.com/playlist/{saved.spotify_id}")
    assert (saved.name, saved.public) == ("Closer, and after", False)
    assert saved.description.startswith("Made with Musaic")  # export adds its own marker
    assert saved.items == _spotify_uris(page, body["id"])
    check_screen(page, "saved")

    playlist.get_by_role("button", name=f"Move down: {titles[0]}").press("Enter")
    expect(playlist.locator(":scope > li .t").first).to_have_text(titles[1])
    _save(page)
    expect(page.locator("#saved-text")).to_contain_text("Updated the same Spotify playlist")
    again = _only_standin_playlist(standin)
    assert again.spotify_id == saved.spotify_id
    assert again.items == _spotify_uris(page, body["id"])
    assert again.items[1] == f"spotify:track:{body['items'][0]['track']['spotify_id']}"

    history = page.locator("#history .open")
    expect(history.first).to_contain_text(body["name"])
    history.first.click()
    expect(page.get_by_role("link", name="Open in Spotify")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#account-state")).to_have_text("Not logged in")
    expect(page.get_by_role("link", name="Log in with Spotify")).to_be_visible()
    expect(page.locator("#result")).to_be_hidden()  # it belonged to the session that ended
    expect(page.locator("#history-empty")).to_be_visible()


def test_a_rate_limited_save_shows_the_wait_and_a_later_save_works(
    page: Any, musaic: Any, standin: Any
) -> None:
    open_page(page, musaic.url)
    log_in(page)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    body = generate(page, length=10)
    before = shown_titles(page)
    standin.faults.rate_limited(120)
    _save(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("try again in 2 minutes")
    check_screen(page, "rate-limited")
    assert shown_titles(page) == before == stored_titles(page, body["id"])
    assert standin.web_api.playlists == {} or all(
        p.items == [] for p in standin.web_api.playlists.values()
    )
    _save(page)
    expect(page.locator("#saved-text")).to_contain_text("Saved to your Spotify")
    assert _only_standin_playlist(standin).items == _spotify_uris(page, body["id"])


def test_saving_logged_out_offers_login_and_keeps_the_playlist(
    page: Any, musaic: Any, standin: Any
) -> None:
    open_page(page, musaic.url)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    body = generate(page, length=6)
    before = shown_titles(page)
    _save(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Log in with Spotify to save this playlist")
    assert standin.web_api.playlists == {}
    login = alert.get_by_role("link", name="Log in with Spotify")
    expect(login).to_have_attribute("href", re.compile(rf"next=%2F%3Fplaylist%3D{body['id']}%26"))
    login.click()
    expect(page.locator("#account-state")).to_contain_text("Logged in as")
    expect(page).to_have_url(f"{musaic.url}/?playlist={body['id']}")  # the id came back
    assert shown_titles(page) == before
    expect(page.get_by_role("button", name="Save to Spotify")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#saved-text")).to_contain_text("Saved to your Spotify")
    assert _only_standin_playlist(standin).items == _spotify_uris(page, body["id"])


def test_tracks_spotify_lacks_are_listed_after_saving(page: Any, musaic: Any, standin: Any) -> None:
    open_page(page, musaic.url)
    log_in(page)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    body = generate(page, length=6)
    local_only = body["items"][2]["track"]["id"]
    with sqlite3.connect(musaic.database) as db:  # as if it came from a listener's own export
        db.execute(
            "UPDATE tracks SET spotify_id = NULL, isrc = NULL, title = 'Kitchen demo 1999' "
            "WHERE id = ?",
            (local_only,),
        )
    _save(page)
    expect(page.locator("#saved-text")).to_contain_text("(5 tracks)")
    expect(page.locator("#unresolved-list")).to_contain_text("Kitchen demo 1999")
    assert len(_only_standin_playlist(standin).items) == 5


def test_downloads_are_m3u8_csv_and_jspf(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    body = generate(page, length=5)
    files = {}
    for label in ("M3U8", "CSV", "JSPF"):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        files[label] = download.value.path().read_text(encoding="utf-8")
    assert files["M3U8"].startswith("#EXTM3U")
    assert body["items"][0]["track"]["title"] in files["CSV"]
    assert len(json.loads(files["JSPF"])["playlist"]["track"]) == len(body["items"])
