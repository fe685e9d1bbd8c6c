// Seeds from the listener's own Spotify listening: GET /api/me/tracks?source=recent|top.

import { api, describe } from "./api.js";
import { $, alertText, el, trackLine } from "./ui.js";

/** Wire the two buttons; `onPick(track)` receives the chosen track. */
export function setUpMine(onPick) {
  let tracks = [];
  const list = $("mine-list");
  const load = async (button) => {
    const source = button.dataset.source;
    button.setAttribute("aria-busy", "true");
    try {
      tracks = (await api(`/api/me/tracks?source=${source}&limit=20`)).items;
      const label = source === "top" ? "Your top tracks" : "Your recently played tracks";
      list.setAttribute("aria-label", label);
      list.replaceChildren(
        ...tracks.map((track, i) => el("li", {}, el("button", { type: "button", "data-index": i, text: trackLine(track) }))),
      );
      list.hidden = tracks.length === 0;
      if (!tracks.length) alertText("Spotify has no tracks for you there yet.");
      else list.querySelector("button").focus();
    } catch (error) {
      alertText(describe(error));
    } finally {
      button.removeAttribute("aria-busy");
    }
  };
  for (const id of ["mine-recent", "mine-top"]) {
    $(id).addEventListener("click", (event) => load(event.currentTarget));
  }
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (button) onPick(tracks[Number(button.dataset.index)]);
  });
}
