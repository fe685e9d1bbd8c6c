// The "Search tracks" combobox (ARIA 1.2 pattern): debounced, newest answer wins, keyboard + mouse.

import { api, ApiError, describe } from "./api.js";
import { el } from "./ui.js";

const DEBOUNCE_MS = 250;
const SPOTIFY_REF = [
  /^([0-9A-Za-z]{22})$/,
  /^spotify:track:([0-9A-Za-z]{22})$/,
  /^https?:\/\/open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/([0-9A-Za-z]{22})\/?(?:\?.*)?$/,
];

/** Return the Spotify track id in a pasted id, URI or open.spotify.com URL, else null. */
export function spotifyId(text) {
  for (const pattern of SPOTIFY_REF) {
    const match = pattern.exec(text.trim());
    if (match) return match[1];
  }
  return null;
}

async function findBySpotifyId(id, signal) {
  try {
    return [await api(`/api/tracks/${id}`, { signal })];
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    // Not in the catalog (and nobody logged in to ask Spotify): still usable as a seed.
    return [{ id, title: `Spotify track ${id}`, artists: [], year: null, outside: true }];
  }
}

function optionNode(track, index) {
  const artists = track.artists.map((a) => a.name).join(", ");
  const meta = track.outside
    ? "Not in Musaic's catalog yet: generating may ask you to log in"
    : [artists, track.year].filter(Boolean).join(" · ");
  return el(
    "li",
    { id: `result-${index}`, role: "option", "aria-selected": "false" },
    el("span", { class: "opt-title", text: track.title }),
    " ",
    el("span", { class: "opt-meta", text: meta }),
  );
}

/** Wire the combobox; `onPick(track)` receives the chosen track (or a Spotify-id stand-in). */
export function setUpSearch({ input, listbox, state, onPick }) {
  let timer = 0;
  let sequence = 0;
  let controller = null;
  let tracks = [];
  let active = -1;

  const setActive = (index) => {
    active = index;
    listbox.querySelectorAll("[role=option]").forEach((node, i) => {
      node.setAttribute("aria-selected", String(i === index));
      if (i === index) node.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", `result-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const open = (isOpen) => {
    listbox.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen));
    if (!isOpen) setActive(-1);
  };
  const pick = (index) => {
    const track = tracks[index];
    if (!track) return;
    input.value = track.outside ? track.id : track.title;
    open(false);
    state.textContent = "";
    onPick(track);
  };
  const show = (found, query) => {
    tracks = found;
    listbox.replaceChildren(...found.map(optionNode));
    state.textContent = found.length
      ? `${found.length} track${found.length === 1 ? "" : "s"} found; use the arrow keys and Enter to pick one.`
      : `No tracks match “${query}”. Try fewer words, or another spelling.`;
    open(found.length > 0);
  };

  const run = async () => {
    const query = input.value.trim();
    const mine = ++sequence;
    controller?.abort();
    controller = new AbortController();
    if (!query) {
      tracks = [];
      listbox.replaceChildren();
      state.textContent = "";
      open(false);
      return;
    }
    state.textContent = "Searching…";
    try {
      const id = spotifyId(query);
      const found = id
        ? await findBySpotifyId(id, controller.signal)
        : (await api(`/api/search?q=${encodeURIComponent(query)}&limit=10`, { signal: controller.signal })).items;
      if (mine === sequence) show(found, query); // an older answer never replaces a newer one
    } catch (error) {
      if (error.name === "AbortError" || mine !== sequence) return;
      open(false);
      state.textContent = describe(error);
    }
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const count = tracks.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (listbox.hidden) open(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
    } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      open(false);
    }
  });
  input.addEventListener("blur", () => window.setTimeout(() => open(false), 150));
  listbox.addEventListener("mousedown", (event) => event.preventDefault()); // keep input focus
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) pick(Number(option.id.slice("result-".length)));
  });
}
