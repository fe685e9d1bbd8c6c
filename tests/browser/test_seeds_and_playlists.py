"""Listeners in Chromium: search and seeds, options, generating, editing, history, logging out."""

from __future__ import annotations

import time
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


def _searches(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: "/api/search" in r.url and seen.append(r.url))
    return seen


def test_search_is_debounced_and_an_older_answer_never_replaces_a_newer_one(
    page: Any, musaic: Any, standin: Any
) -> None:
    open_page(page, musaic.url)
    log_in(page)
    sent = _searches(page)
    standin.faults.slow(2.0)  # Spotify's half of the first search answers late
    box = page.get_by_role("combobox", name="Search tracks")
    box.press_sequentially("love")  # keys well inside 250 ms of each other
    page.wait_for_timeout(400)  # the first search is on its way
    box.fill("closer chainsmokers")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text("Closer")
    time.sleep(2.3)  # the slow first answer has come and gone
    expect(listbox.get_by_role("option").first).to_contain_text("Closer")
    assert len(sent) == 2, sent  # one per pause in typing, not one per key


def test_empty_and_misspelled_searches_and_a_pasted_spotify_link(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    box = page.get_by_role("combobox", name="Search tracks")
    box.press_sequentially("qqxzvw", delay=20)
    expect(page.locator("#search-state")).to_contain_text("No tracks match “qqxzvw”")
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox = search(page, "closre chainsmokers")
    expect(listbox.get_by_role("option").first).to_contain_text("The Chainsmokers")
    check_screen(page, "search")
    closer = page.request.get("/api/search?q=closer%20chainsmokers&limit=1").json()["items"][0]
    box.fill(f"https://open.spotify.com/track/{closer['spotify_id']}")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text(closer["title"])
    listbox.get_by_role("option").first.click()  # the mouse works too
    expect(page.locator("#seed-text")).to_contain_text(closer["title"])


def test_a_logged_in_listener_picks_a_seed_from_their_own_listening(
    page: Any, musaic: Any, standin: Any
) -> None:
    open_page(page, musaic.url)
    expect(page.get_by_role("button", name="Recently played")).to_be_hidden()
    log_in(page)
    listening = standin.web_api.listening_of(standin.accounts.user())
    page.get_by_role("button", name="Top tracks").click()
    picks = page.get_by_role("list", name="Your top tracks").get_by_role("button")
    expect(picks.first).to_contain_text(listening[0].name)
    page.get_by_role("button", name="Recently played").click()
    picks = page.get_by_role("list", name="Your recently played tracks").get_by_role("button")
    expect(picks.first).to_be_focused()
    picks.nth(1).press("Enter")
    expect(page.locator("#seed-text")).to_contain_text(listening[1].name)
    body = generate(page, length=5)
    assert body["seed_track"]["spotify_id"] == listening[1].spotify_id


def test_generate_is_sent_once_however_often_it_is_pressed(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    posts: list[str] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and r.url.endswith("/api/playlists") and posts.append(r.url),
    )
    # Three presses in one task: no answer can arrive in between, with or without a guard.
    page.evaluate(
        "() => { for (let i = 0; i < 3; i++) document.querySelector('#generate').click(); }"
    )
    expect(page.get_by_role("list", name="Playlist").locator("li").first).to_be_visible()
    expect(page.get_by_role("button", name="Generate playlist")).not_to_have_attribute(
        "aria-disabled", "true"
    )
    page.wait_for_timeout(200)
    assert len(posts) == 1


def test_options_that_leave_nothing_show_the_api_notes(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    search(page, "closer chainsmokers")
    pick_with_keyboard(page)
    page.get_by_label("Years from").fill("1950")
    page.get_by_label("Years to").fill("1940")
    page.get_by_role("button", name="Generate playlist").click()
    expect(page.get_by_role("alert")).to_contain_text("Years to must not be before years from")
    expect(page.get_by_label("Years to")).to_be_focused()
    page.get_by_label("Years to").fill("1951")
    page.get_by_label("Leave out explicit tracks").check()
    body = generate(page, length=20)
    assert body["notes"], "the API gave no notes for a nearly empty playlist"
    for note in body["notes"]:
        expect(page.locator("#notes")).to_contain_text(note)


def test_remove_reorder_rename_and_regenerate_are_saved(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    search(page, "closre chainsmokers")
    pick_with_keyboard(page)
    body = generate(page, length=8)
    titles = shown_titles(page)
    assert titles == [item["track"]["title"] for item in body["items"]]
    check_screen(page, "playlist")
    playlist = page.get_by_role("list", name="Playlist")
    playlist.get_by_role("button", name=f"Remove: {titles[2]}").focus()
    page.keyboard.press("Enter")
    expect(playlist.locator(":scope > li")).to_have_count(len(titles) - 1)
    playlist.get_by_role("button", name=f"Move down: {titles[1]}").press("Enter")
    expected = [titles[0], titles[3], titles[1], *titles[4:]]
    expect(playlist.locator(":scope > li .t")).to_have_text(expected)
    expect(playlist.get_by_role("button", name=f"Move down: {titles[1]}")).to_be_focused()
    assert stored_titles(page, body["id"]) == expected
    page.get_by_label("Playlist name").fill("Late night")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("#result-heading")).to_have_text("Late night")
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator("#result-heading")).not_to_have_text("Late night")
    history = page.locator("#history .open")
    expect(history.first).not_to_contain_text("Late night")
    expect(history.nth(1)).to_contain_text("Late night")  # newest first
    assert page.request.get(f"/api/playlists/{body['id']}").json()["name"] == "Late night"


def test_history_is_paginated_newest_first_and_opens_and_deletes(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    seed = page.request.get("/api/search?q=closer%20chainsmokers&limit=1").json()["items"][0]
    names = [f"Mix {n}" for n in range(7)]
    for name in names:
        answer = page.request.post(
            "/api/playlists", data={"seed": seed["id"], "length": 5, "name": name}
        )
        assert answer.status == 201
    page.reload()
    history = page.locator("#history .open")
    expect(history).to_have_count(5)
    expect(history.first).to_contain_text("Mix 6")
    expect(page.locator("#history-page")).to_have_text("Page 1 of 2")
    page.get_by_role("button", name="Older").click()
    expect(history).to_have_count(2)
    expect(history.last).to_contain_text("Mix 0")
    history.first.click()
    expect(page.locator("#result-heading")).to_have_text("Mix 1")
    check_screen(page, "history")
    page.get_by_role("button", name="Delete: Mix 1").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted “Mix 1”")
    expect(page.locator("#result")).to_be_hidden()
    expect(history).to_have_count(1)
    assert page.request.get("/api/playlists").json()["total"] == 6


def test_logging_out_shows_the_login_control_again(page: Any, musaic: Any) -> None:
    open_page(page, musaic.url)
    log_in(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#account-state")).to_have_text("Not logged in")
    expect(page.get_by_role("link", name="Log in with Spotify")).to_be_focused()
    assert page.request.get("/api/auth/status").json()["logged_in"] is False
