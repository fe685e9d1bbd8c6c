// Saving to Spotify (POST /api/playlists/{id}/export) and the M3U8 / CSV / JSPF downloads.

import { api, ApiError, describe } from "./api.js";
import { $, alertText, el, guarded, say } from "./ui.js";
import { currentPlaylist } from "./playlist.js";

const saves = new Map(); // playlist id -> the last export answer, while the page is open

/** Return the login URL that comes back to this playlist (ready to save it, with `saving`). */
export function loginHref(playlist, { saving = false } = {}) {
  const next = playlist ? `/?playlist=${playlist.id}${saving ? "&saving=1" : ""}` : "/";
  return `/api/auth/login?next=${encodeURIComponent(next)}`;
}

function showSaved(result) {
  const spotify = result?.spotify_playlist;
  $("saved").hidden = !spotify;
  if (!spotify) return;
  $("open-spotify").href = spotify.url;
  const unresolved = result.unresolved || [];
  $("unresolved").hidden = unresolved.length === 0;
  $("unresolved-list").replaceChildren(
    ...unresolved.map((t) => el("li", { text: `${t.title} — ${(t.artists || []).join(", ")}` })),
  );
}

/** Show the downloads and any earlier save of the playlist now on screen. */
export function showSaveState(playlist) {
  for (const format of ["m3u8", "csv", "jspf"]) {
    $(`download-${format}`).href = `/api/playlists/${playlist.id}/export.${format}`;
  }
  if (!saves.has(playlist.id)) $("save-name").value = playlist.name;
  const saved = saves.get(playlist.id) || (playlist.spotify_playlist ? playlist : null);
  showSaved(saved);
  $("saved-text").textContent = saved ? "This playlist is on your Spotify." : "";
}

async function save() {
  const playlist = currentPlaylist();
  if (!playlist) return;
  const body = {
    name: $("save-name").value.trim() || playlist.name,
    description: $("save-description").value.trim() || undefined,
    public: $("save-public").checked,
  };
  try {
    const result = await api(`/api/playlists/${playlist.id}/export`, { method: "POST", body });
    saves.set(playlist.id, result);
    showSaved(result);
    const tracks = `${result.written} track${result.written === 1 ? "" : "s"}`;
    const text = result.created
      ? `Saved to your Spotify as “${body.name}” (${tracks}).`
      : `Updated the same Spotify playlist “${body.name}” (${tracks}, in this order).`;
    $("saved-text").textContent = [text, ...(result.notes || [])].join(" ");
    say(text);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const login = el("a", { class: "button spotify", href: loginHref(playlist, { saving: true }), text: "Log in with Spotify" });
      alertText(["Log in with Spotify to save this playlist. It stays here while you log in.", el("p", {}, login)], "save-alert");
      return;
    }
    alertText(describe(error), "save-alert");
  }
}

/** Wire the save form. */
export function setUpSave() {
  const run = guarded($("save-button"), save, "Saving…");
  $("save").addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
}
