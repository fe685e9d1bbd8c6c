// Who is logged in (GET /api/auth/status), the "Log in with Spotify" link, and logging out.

import { api } from "./api.js";
import { $ } from "./ui.js";

let status = { logged_in: false, spotify_configured: false, user: null };

/** Return the last known login status. */
export function account() {
  return status;
}

function render() {
  const name = status.user?.display_name || "a Spotify listener";
  $("account-state").textContent = status.logged_in
    ? `Logged in as ${name}`
    : status.spotify_configured
      ? "Not logged in"
      : "Spotify is not set up on this server; search and playlists work without it.";
  $("login").hidden = status.logged_in || !status.spotify_configured;
  $("logout").hidden = !status.logged_in;
  $("mine").hidden = !status.logged_in;
}

/** Ask the API who is logged in and show it. */
export async function loadAccount() {
  status = await api("/api/auth/status");
  render();
  return status;
}

/** Point the login link back at `href` (e.g. to the playlist on screen). */
export function setLoginHref(href) {
  $("login").href = href;
}

/** Log out (the tokens are forgotten on the server) and show it. */
export async function logOut() {
  status = await api("/api/auth/logout", { method: "POST" });
  render();
  return status;
}
