// The listener's playlists, newest first, five to a page: open one or delete it.

import { api, describe } from "./api.js";
import { $, alertText, el, say } from "./ui.js";

const PAGE_SIZE = 5;
let offset = 0;
let total = 0;
let hooks = { onOpen: () => {}, onDeleted: () => {} };

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function row(summary) {
  const meta = `${summary.track_count} track${summary.track_count === 1 ? "" : "s"} · ${when(summary.created_at)}`;
  const open = el(
    "button",
    { type: "button", class: "open", "data-open": summary.id },
    el("span", { text: summary.name }),
    el("span", { class: "opt-meta", text: ` ${meta}` }),
  );
  const remove = el("button", {
    type: "button",
    class: "small",
    "data-delete": summary.id,
    "aria-label": `Delete: ${summary.name}`,
    text: "Delete",
  });
  return el("li", {}, open, remove);
}

/** Reload the current page of the history (the first page after `fromStart`). */
export async function refreshHistory({ fromStart = false } = {}) {
  if (fromStart) offset = 0;
  try {
    const page = await api(`/api/playlists?limit=${PAGE_SIZE}&offset=${offset}`);
    total = page.total;
    if (!page.items.length && offset > 0) {
      offset = Math.max(0, offset - PAGE_SIZE);
      return refreshHistory();
    }
    $("history").replaceChildren(...page.items.map(row));
    $("history-empty").hidden = total > 0;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    $("history-page").textContent = total ? `Page ${offset / PAGE_SIZE + 1} of ${pages}` : "";
    $("history-prev").disabled = offset === 0;
    $("history-next").disabled = offset + PAGE_SIZE >= total;
    $("history-pager").hidden = total <= PAGE_SIZE;
  } catch (error) {
    alertText(describe(error));
  }
  return undefined;
}

async function onClick(event) {
  const open = event.target.closest("[data-open]");
  const remove = event.target.closest("[data-delete]");
  if (open) hooks.onOpen(Number(open.dataset.open));
  if (!remove) return;
  const id = Number(remove.dataset.delete);
  const name = remove.closest("li").querySelector(".open span").textContent;
  try {
    await api(`/api/playlists/${id}`, { method: "DELETE" });
    say(`Deleted “${name}”.`);
    hooks.onDeleted(id);
    await refreshHistory();
    ($("history").querySelector("button") || $("history-heading")).focus();
  } catch (error) {
    alertText(describe(error));
  }
}

/** Wire the history list and its pager. */
export function setUpHistory(callbacks) {
  hooks = callbacks;
  $("history-heading").tabIndex = -1;
  $("history").addEventListener("click", onClick);
  $("history-prev").addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    refreshHistory();
  });
  $("history-next").addEventListener("click", () => {
    offset += PAGE_SIZE;
    refreshHistory();
  });
}
