// Musaic's page: wire the seed search, options, playlist, saving, history and account together.

import { api, describe } from "./api.js";
import { account, loadAccount, logOut, setLoginHref } from "./account.js";
import { refreshHistory, setUpHistory } from "./history.js";
import { setUpMine } from "./mine.js";
import { FormProblem, loadMatchers, readOptions, showOptions } from "./options.js";
import { currentPlaylist, hidePlaylist, setUpPlaylist, showPlaylist } from "./playlist.js";
import { loginHref, setUpSave, showSaveState } from "./save.js";
import { setUpSearch } from "./search.js";
import { $, alertText, clearMessages, guarded, say, trackLine } from "./ui.js";

let seed = null;

function chooseSeed(track) {
  seed = track;
  $("seed").hidden = false;
  $("seed-text").textContent = track.outside ? `Spotify track ${track.id}` : trackLine(track);
  say(`Seed: ${$("seed-text").textContent}. Set the options, then generate the playlist.`);
}

function display(playlist, notes = []) {
  showPlaylist(playlist, notes);
  showSaveState(playlist);
  setLoginHref(loginHref(playlist));
  window.history.replaceState(null, "", `/?playlist=${playlist.id}`);
}

function forget(playlistId) {
  if (currentPlaylist()?.id !== playlistId) return;
  hidePlaylist();
  setLoginHref(loginHref(null));
  window.history.replaceState(null, "", "/");
}

function problem(error) {
  if (error instanceof FormProblem) {
    alertText(error.message);
    $(error.field).setAttribute("aria-invalid", "true");
    $(error.field).focus();
    return;
  }
  alertText(describe(error));
}

async function generate({ fresh = false } = {}) {
  document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  const seedId = fresh ? currentPlaylist()?.seed_track?.id ?? seed?.id : seed?.id;
  if (seedId === undefined) {
    alertText("Pick a seed track first: search for one, or paste a Spotify link.");
    $("search").focus();
    return;
  }
  try {
    const body = { seed: seedId, ...readOptions() };
    if (fresh) body.options.seed = crypto.getRandomValues(new Uint32Array(1))[0];
    const playlist = await api("/api/playlists", { method: "POST", body });
    display(playlist, playlist.notes);
    const count = playlist.items.length;
    say(count ? `Made “${playlist.name}”: ${count} tracks.` : "No tracks fit these options.");
    $("result-heading").focus();
    refreshHistory({ fromStart: true });
  } catch (error) {
    problem(error);
  }
}

async function open(playlistId, { saving = false } = {}) {
  try {
    const playlist = await api(`/api/playlists/${playlistId}`);
    display(playlist);
    showOptions(playlist);
    if (playlist.seed_track) chooseSeed(playlist.seed_track);
    if (saving && account().logged_in) {
      say("You are logged in and your playlist is still here: press “Save to Spotify” to save it.");
      $("save-button").focus();
    } else {
      $("result-heading").focus();
    }
  } catch (error) {
    alertText(describe(error));
  }
}

function wire() {
  setUpSearch({ input: $("search"), listbox: $("results"), state: $("search-state"), onPick: chooseSeed });
  setUpMine(chooseSeed);
  const run = guarded($("generate"), () => generate(), "Generating…");
  $("options").addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  $("regenerate").addEventListener("click", guarded($("regenerate"), () => generate({ fresh: true }), "Generating…"));
  setUpPlaylist({ onChange: (playlist) => { showSaveState(playlist); refreshHistory(); } });
  setUpSave();
  setUpHistory({ onOpen: (id) => open(id), onDeleted: forget });
  $("result-heading").tabIndex = -1;
  $("logout").addEventListener("click", async () => {
    try {
      await logOut();
      forget(currentPlaylist()?.id); // it belonged to the session that just ended
      say("Logged out. Spotify's tokens are forgotten on the server.");
      $("login").focus();
      refreshHistory({ fromStart: true });
    } catch (error) {
      alertText(describe(error));
    }
  });
}

async function start() {
  wire();
  const params = new URLSearchParams(window.location.search);
  const [status, matchers] = await Promise.allSettled([loadAccount(), loadMatchers()]);
  const failed = [status, matchers].find((result) => result.status === "rejected");
  if (failed) {
    alertText(describe(failed.reason));
    $("account-state").textContent = "Could not reach Musaic.";
    return;
  }
  clearMessages();
  if (params.get("playlist")) await open(Number(params.get("playlist")), { saving: params.has("saving") });
  await refreshHistory();
}

start();
