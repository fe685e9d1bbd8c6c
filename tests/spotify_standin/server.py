"""SpotifyStandIn: a real threaded HTTP server speaking Spotify's accounts service and Web API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.spotify_standin.accounts import Accounts
from tests.spotify_standin.catalog import Catalog
from tests.spotify_standin.faults import Fault, FaultQueue
from tests.spotify_standin.render import Renderer, StandInUser
from tests.spotify_standin.webapi import WebApi
from tests.spotify_standin.wire import Incoming, RecordedRequest, Reply, error_body

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CSV = REPO_ROOT.parent / "shared/data/tidytuesday_spotify_songs/spotify_songs.csv.gz"
DEFAULT_USERS = (
    StandInUser("acc-ada", "Ada Listener", "ada"),
    StandInUser("acc-bo", "Bo Listener", "bo"),
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _handle(self) -> None:
        self.server.standin._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests assert on recorded requests instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: SpotifyStandIn


class SpotifyStandIn:
    """Serve the Spotify subset Musaic uses on 127.0.0.1, with faults and a request log."""

    def __init__(
        self,
        *,
        data_path: str | Path = DEFAULT_CSV,
        row_limit: int | None = None,
        catalog: Catalog | None = None,
        users: tuple[StandInUser, ...] = DEFAULT_USERS,
        client_id: str = "musaic-standin-client",
        client_secret: str = "musaic-standin-secret",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog or Catalog.from_csv(data_path, row_limit)
        self.users = list(users)
        self.accounts = Accounts(self.users, client_id, client_secret, clock)
        self.faults = FaultQueue()
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self.web_api: WebApi | None = None

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT (the accounts base URL)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def accounts_base_url(self) -> str:
        """Return the base URL to use instead of https://accounts.spotify.com."""
        return self.base_url

    @property
    def api_base_url(self) -> str:
        """Return the base URL to use instead of https://api.spotify.com/v1."""
        return f"{self.base_url}/v1"

    def start(self) -> SpotifyStandIn:
        """Bind the port and serve in a background thread."""
        self._server = _Server(self._address, _Handler)
        self._server.standin = self
        self.web_api = WebApi(self.catalog, Renderer(self.catalog, self.api_base_url), self.users)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (slow answers in flight are cut short)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SpotifyStandIn:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of every request received since the last reset, in order."""
        with self._log_lock:
            return list(self._requests)

    def reset_log(self) -> None:
        """Forget the requests received so far (playlists, faults and tokens stay)."""
        with self._log_lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget requests, faults, playlists and consent settings (tokens stay valid)."""
        with self._log_lock:
            self._requests.clear()
        self.faults.clear()
        self.accounts.deny_consent = False
        self.accounts.rotate_refresh_tokens = False
        if self.web_api is not None:
            self.web_api.playlists.clear()

    def _serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Incoming(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        recorded = {k: v[0] for k, v in request.query.items()}
        with self._log_lock:
            self._requests.append(
                RecordedRequest(request.method, parts.path, recorded, request.body)
            )
        fault = self.faults.take(parts.path, request.method)
        if fault is not None and (fault.delay or fault.drop):
            self._stopping.wait(fault.delay)
            if fault.drop:
                handler.close_connection = True
                return
        reply = self._fault_reply(fault) or self._route(request)
        self._write(handler, reply)

    @staticmethod
    def _fault_reply(fault: Fault | None) -> Reply | None:
        if fault is None or fault.status is None:
            return None
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return Reply(
            fault.status, fault.body or error_body(fault.status, "Injected fault"), headers
        )

    def _route(self, request: Incoming) -> Reply:
        if request.path == "/authorize" and request.method == "GET":
            return self.accounts.authorize(request)
        if request.path == "/api/token" and request.method == "POST":
            return self.accounts.token(request)
        if not request.path.startswith("/v1/") or self.web_api is None:
            return Reply(404, error_body(404, "Service not found"))
        user, problem = self.accounts.user_for_bearer(request.header("Authorization"))
        if user is None:
            return Reply(401, error_body(401, problem))
        sub_request = Incoming(
            request.method, request.path[len("/v1") :], request.query, request.headers, request.body
        )
        return self.web_api.dispatch(sub_request, user)

    @staticmethod
    def _write(handler: _Handler, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        try:
            handler.send_response(reply.status)
            if payload:
                handler.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (e.g. its read timeout)
