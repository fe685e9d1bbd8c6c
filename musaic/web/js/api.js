// Talk to Musaic's API on the same origin: JSON in, JSON out, every failure an ApiError.

export class ApiError extends Error {
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

const UNAVAILABLE = "Musaic is unavailable right now. Please try again in a moment.";
const UNREACHABLE = "Musaic is not answering. Check your connection and try again.";

function retryAfterOf(response, envelope) {
  const header = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  if (Number.isFinite(header) && header >= 0) return header;
  const detail = envelope?.details?.retry_after;
  return Number.isFinite(detail) ? detail : null;
}

async function failure(response) {
  let envelope = null;
  try {
    envelope = (await response.json()).error || null;
  } catch {
    envelope = null; // a proxy's HTML page, or nothing at all
  }
  const unavailable = response.status >= 502;
  return new ApiError(
    response.status,
    envelope?.code || (unavailable ? "service_unavailable" : "http_error"),
    envelope?.message || (unavailable ? UNAVAILABLE : `The request failed (${response.status}).`),
    envelope?.details || {},
    retryAfterOf(response, envelope),
  );
}

/** Call the API; resolve to the JSON body (null for 204), reject with ApiError or AbortError. */
export async function api(path, { method = "GET", body, signal } = {}) {
  const init = { method, signal, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", UNREACHABLE);
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** Say how long to wait in words: "45 seconds", "2 minutes", "3 hours". */
export function waitInWords(seconds) {
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds < 90) return plural(Math.max(1, Math.round(seconds)), "second");
  if (seconds < 90 * 60) return plural(Math.round(seconds / 60), "minute");
  return plural(Math.round(seconds / 3600), "hour");
}

/** Turn an error into the sentence a listener reads. */
export function describe(error) {
  if (!(error instanceof ApiError)) return "Something went wrong in the page. Please reload it.";
  if (error.retryAfter !== null && error.code.startsWith("spotify_")) {
    return `${error.message}. Spotify asks Musaic to wait: try again in ${waitInWords(error.retryAfter)}.`;
  }
  if (error.status === 503 && error.retryAfter !== null) {
    return `${error.message} (try again in ${waitInWords(error.retryAfter)})`;
  }
  return error.message;
}
