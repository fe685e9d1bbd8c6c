// Small DOM helpers and the page's two message areas (polite notices and alerts).

export const $ = (id) => document.getElementById(id);

/** Create an element with attributes and children (strings become text, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function show(node, parts) {
  const lines = Array.isArray(parts) ? parts : [parts];
  node.replaceChildren(...lines.map((part) => (typeof part === "string" ? el("p", { text: part }) : part)));
  node.hidden = false;
}

/** Hide every alert (the page-wide one and those beside a form). */
export function clearAlerts() {
  document.querySelectorAll("[role=alert]").forEach((node) => {
    node.hidden = true;
  });
}

/** Show a polite notice (strings become paragraphs; nodes are kept) and clear any alert. */
export function say(text) {
  clearAlerts();
  show($("notice"), text);
}

/** Show an alert (errors) in `where`, keeping whatever the listener has on screen. */
export function alertText(text, where = "alert") {
  clearAlerts();
  $("notice").hidden = true;
  show($(where), text);
}

/** Hide every message area. */
export function clearMessages() {
  $("notice").hidden = true;
  clearAlerts();
}

/** Format milliseconds as m:ss. */
export function duration(ms) {
  if (!ms && ms !== 0) return "";
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** "Title — Artist, Artist (1999)" for a track from the API. */
export function trackLine(track) {
  const artists = track.artists.map((a) => a.name).join(", ");
  return `${track.title} — ${artists || "unknown artist"}${track.year ? ` (${track.year})` : ""}`;
}

/** Run `work` unless it is already running: a button cannot submit twice (it keeps focus). */
export function guarded(button, work, busyLabel = "Working…") {
  let running = false;
  return async (...args) => {
    if (running) return;
    running = true;
    const label = button.textContent;
    button.setAttribute("aria-disabled", "true");
    button.textContent = busyLabel;
    try {
      await work(...args);
    } finally {
      running = false;
      button.removeAttribute("aria-disabled");
      button.textContent = label;
    }
  };
}
