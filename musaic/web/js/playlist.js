// The playlist on screen: an ordered list with the why of each track; edits saved through PATCH.

import { api, describe } from "./api.js";
import { $, alertText, duration, el, say } from "./ui.js";

let current = null;
let editing = false;
let changed = () => {};

/** Return the playlist on screen (or null). */
export function currentPlaylist() {
  return current;
}

function why(item) {
  const texts = (item.reasons || []).map((r) => r.text).filter(Boolean).slice(0, 2);
  return texts.length ? `Why: ${texts.join("; ")}` : "";
}

function tool(action, label, title, disabled) {
  return el("button", {
    type: "button",
    class: "small",
    "data-action": action,
    "aria-label": `${label}: ${title}`,
    disabled,
    text: label,
  });
}

function itemNode(item, index, count) {
  const track = item.track;
  const artists = track.artists.map((a) => a.name).join(", ");
  const meta = [
    [artists, track.album?.name].filter(Boolean).join(" — "),
    track.year,
    duration(track.duration_ms),
  ].filter(Boolean);
  return el(
    "li",
    { "data-track-id": track.id },
    el(
      "div",
      { class: "track" },
      el("span", { class: "t", text: track.title }),
      el("span", { class: "m", text: meta.join(" · ") }),
      why(item) ? el("span", { class: "why", text: why(item) }) : null,
      el(
        "div",
        { class: "tools row" },
        tool("up", "Move up", track.title, index === 0),
        tool("down", "Move down", track.title, index === count - 1),
        tool("remove", "Remove", track.title, false),
      ),
    ),
  );
}

/** Show `playlist` (and the generator's notes); `onChange` hears of every edit. */
export function showPlaylist(playlist, notes = []) {
  current = playlist;
  $("result").hidden = false;
  $("result-heading").textContent = playlist.name;
  $("playlist-name").value = playlist.name;
  $("notes").replaceChildren(...notes.map((note) => el("li", { text: note })));
  const count = playlist.items.length;
  $("empty-result").hidden = count > 0;
  $("playlist").replaceChildren(...playlist.items.map((item, i) => itemNode(item, i, count)));
}

/** Hide the result (its playlist was deleted). */
export function hidePlaylist() {
  current = null;
  $("result").hidden = true;
}

function refocus(trackId, action) {
  const row = $("playlist").querySelector(`li[data-track-id="${trackId}"]`);
  const target = row?.querySelector(`[data-action="${action}"]:not(:disabled)`)
    || row?.querySelector("[data-action]:not(:disabled)")
    || $("playlist").querySelector("[data-action]:not(:disabled)")
    || $("playlist-name");
  target.focus();
}

async function patch(body, message, focusTrack, action) {
  if (editing || !current) return;
  editing = true;
  try {
    const updated = await api(`/api/playlists/${current.id}`, { method: "PATCH", body });
    showPlaylist(updated);
    say(message);
    changed(updated);
    if (focusTrack !== null) refocus(focusTrack, action);
  } catch (error) {
    alertText(describe(error));
  } finally {
    editing = false;
  }
}

function onTool(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !current) return;
  const trackId = Number(button.closest("li").dataset.trackId);
  const index = current.items.findIndex((item) => item.track.id === trackId);
  const title = current.items[index].track.title;
  const action = button.dataset.action;
  if (action === "remove") {
    const next = current.items[index + 1] || current.items[index - 1];
    patch({ remove_track_ids: [trackId] }, `Removed “${title}”.`, next?.track.id, "remove");
    return;
  }
  const other = action === "up" ? index - 1 : index + 1;
  const order = current.items.map((_, i) => i);
  [order[index], order[other]] = [order[other], order[index]];
  patch({ order }, `Moved “${title}” to position ${other + 1}.`, trackId, action);
}

/** Wire the list's buttons and the rename form. */
export function setUpPlaylist({ onChange }) {
  changed = onChange;
  $("playlist").addEventListener("click", onTool);
  $("rename").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("playlist-name").value.trim();
    if (!name) {
      alertText("A playlist needs a name.");
      $("playlist-name").focus();
      return;
    }
    patch({ name }, `Renamed to “${name}”.`, null, null);
  });
}
