// The options form: matchers from GET /api/matchers, values checked before anything is sent.

import { api } from "./api.js";
import { $, el } from "./ui.js";

export class FormProblem extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/** Fill the matcher menu from the API, the default matcher chosen. */
export async function loadMatchers() {
  const select = $("matcher");
  const { items } = await api("/api/matchers");
  select.replaceChildren(
    ...items.map((m) => el("option", { value: m.name, selected: m.default, text: m.name })),
  );
  const describeChoice = () => {
    const chosen = items.find((m) => m.name === select.value);
    $("matcher-hint").textContent = chosen ? chosen.description : "";
  };
  select.addEventListener("change", describeChoice);
  describeChoice();
}

function whole(id, label, low, high, { optional = false } = {}) {
  const raw = $(id).value.trim();
  if (!raw && optional) return null;
  const value = Number(raw);
  if (!raw || !Number.isInteger(value) || value < low || value > high) {
    throw new FormProblem(id, `${label} must be a whole number from ${low} to ${high}.`);
  }
  return value;
}

/** Read the form as the body of POST /api/playlists (without the seed). */
export function readOptions() {
  const yearMin = whole("year-min", "Years from", 1900, 2100, { optional: true });
  const yearMax = whole("year-max", "Years to", 1900, 2100, { optional: true });
  if (yearMin !== null && yearMax !== null && yearMax < yearMin) {
    throw new FormProblem("year-max", "Years to must not be before years from.");
  }
  return {
    length: whole("length", "Length", 5, 100),
    matcher: $("matcher").value || undefined,
    options: {
      max_per_artist: whole("per-artist", "Tracks per artist", 1, 10),
      exclude_explicit: $("no-explicit").checked,
      year_min: yearMin,
      year_max: yearMax,
      popularity: document.querySelector("input[name=popularity]:checked")?.value || "balanced",
    },
  };
}

/** Put a saved playlist's options back into the form (opening one from the history). */
export function showOptions(playlist) {
  const options = playlist.options || {};
  if (options.length) $("length").value = options.length;
  if (playlist.matcher) $("matcher").value = playlist.matcher;
  if (options.max_per_artist) $("per-artist").value = options.max_per_artist;
  $("no-explicit").checked = Boolean(options.exclude_explicit);
  $("year-min").value = options.year_min ?? "";
  $("year-max").value = options.year_max ?? "";
  const band = document.querySelector(`input[name=popularity][value="${options.popularity || "balanced"}"]`);
  if (band) band.checked = true;
}
