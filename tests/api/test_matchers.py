"""GET /api/matchers lists every registered matcher."""

from __future__ import annotations

from flask.testing import FlaskClient

from musaic.matching.registry import MATCHERS


def test_get_matchers_lists_every_registry_entry(client: FlaskClient) -> None:
    body = client.get("/api/matchers").get_json()
    assert [m["name"] for m in body["items"]] == list(MATCHERS)
    assert body["total"] == len(MATCHERS)
    defaults = [m for m in body["items"] if m["default"]]
    assert [m["name"] for m in defaults] == ["ranked"]
    assert defaults[0]["description"].startswith("The default:") and defaults[0]["signals"]
