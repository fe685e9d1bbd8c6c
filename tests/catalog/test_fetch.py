"""Dataset download over loopback HTTP: resume after a dropped connection, checksum refusal."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from musaic.catalog.fetch import ChecksumError, Dataset, FetchError, download

PAYLOAD = b"track_id,track_name\n" + b"".join(b"id%05d,song %05d\n" % (i, i) for i in range(5000))


class FlakyFileServer(ThreadingHTTPServer):
    """Serve `payload` with Range support; the first answer stops half-way when asked to."""

    def __init__(self, payload: bytes, drop_first: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.payload = payload
        self.drop_first = drop_first
        self.ranges: list[str | None] = []


class _Handler(BaseHTTPRequestHandler):
    server: FlakyFileServer

    def do_GET(self) -> None:
        payload, requested = self.server.payload, self.headers.get("Range")
        self.server.ranges.append(requested)
        start = int(requested.removeprefix("bytes=").rstrip("-")) if requested else 0
        body = payload[start:]
        self.send_response(206 if requested else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.drop_first:
            self.server.drop_first = False
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[FlakyFileServer] = []

    def start(payload: bytes = PAYLOAD, drop_first: bool = False) -> FlakyFileServer:
        server = FlakyFileServer(payload, drop_first)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _dataset(payload: bytes = PAYLOAD) -> Dataset:
    digest = hashlib.sha256(payload).hexdigest()
    return Dataset(
        "tiny", "http://unused.invalid/", "tiny.csv", len(payload), digest, "tidytuesday"
    )


def _url(server: FlakyFileServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/tiny.csv"


def test_a_dropped_download_resumes_with_a_range_request(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = serve(drop_first=True)
    path = download(_dataset(), tmp_path, url=_url(server), timeout=5)
    assert path.read_bytes() == PAYLOAD
    assert server.ranges[0] is None
    resumed_at = int((server.ranges[1] or "").removeprefix("bytes=").rstrip("-") or 0)
    assert 0 < resumed_at <= len(PAYLOAD) // 2
    assert not (tmp_path / "tiny.csv.part").exists()


def test_a_checksum_mismatch_keeps_no_file(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = serve(payload=PAYLOAD.replace(b"song", b"SONG"))
    with pytest.raises(ChecksumError, match="not kept"):
        download(_dataset(), tmp_path, url=_url(server), timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_a_verified_file_is_not_downloaded_again(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = serve()
    download(_dataset(), tmp_path, url=_url(server), timeout=5)
    download(_dataset(), tmp_path, url=_url(server), timeout=5)
    assert server.ranges == [None]


def test_an_unreachable_server_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="after 2 attempts"):
        download(_dataset(), tmp_path, url="http://127.0.0.1:9/x", attempts=2, timeout=1)
