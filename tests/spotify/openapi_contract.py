"""Check stand-in traffic against Spotify's OpenAPI file, seen through a dev-mode overlay.

The overlay is built here at test time and never written to disk. It makes two changes:
1. as ../shared/spotify/PROVENANCE.md explains, it drops every required name whose property
   (own or inherited through allOf/$ref) is deprecated: dev-mode answers omit those fields;
2. it gives each `discriminator: {propertyName: type}` without a mapping the mapping Spotify
   actually uses ("track" -> TrackObject, "episode" -> EpisodeObject). Without it no real
   playlist item validates: the default mapping expects "type": "TrackObject".
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from jsonschema import Draft4Validator
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.spotify_standin import RecordedRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "spotify" / "fixed-spotify-open-api.yml"
SPOTIFY_HOST = "https://api.spotify.com"
HTTP_METHODS = ("get", "post", "put", "delete")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(document, schema)
    found = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or []:
        found.update(_properties(document, part))
    return found


def _type_mapping(document: dict[str, Any], node: dict[str, Any]) -> None:
    discriminator = node.get("discriminator")
    if not isinstance(discriminator, dict) or discriminator.get("mapping"):
        return
    mapping = {}
    for option in node.get("oneOf") or []:
        kind = _properties(document, option).get("type", {}).get("enum", [None])[0]
        if kind and "$ref" in option:
            mapping[kind] = option["$ref"]
    if mapping:
        discriminator["mapping"] = mapping


def dev_mode_overlay(document: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of `document` with no deprecated property required and usable mappings."""
    overlay = copy.deepcopy(document)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            _type_mapping(overlay, node)
            if isinstance(node.get("required"), list):
                props = _properties(overlay, node)
                kept = [n for n in node["required"] if not props.get(n, {}).get("deprecated")]
                if kept:
                    node["required"] = kept
                else:
                    del node["required"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(overlay)
    return overlay


@cache
def spec_document() -> dict[str, Any]:
    """Load the dev-mode overlay of Spotify's OpenAPI file (once per test session)."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return dev_mode_overlay(yaml.safe_load(handle))


@cache
def openapi() -> OpenAPI:
    """Return an openapi-core validator for the overlay."""
    return OpenAPI.from_dict(spec_document())


@dataclass(frozen=True)
class Operation:
    """One spec operation: its path template, method, id and deprecation."""

    template: str
    method: str
    operation_id: str
    deprecated: bool


def operation_for(method: str, path: str) -> Operation | None:
    """Match a Web API path (with /v1) and method to the spec operation, literal paths first."""
    bare = path.removeprefix("/v1")
    candidates = []
    for template, item in spec_document()["paths"].items():
        operation = item.get(method.lower())
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if operation is not None and re.match(pattern, bare):
            found = Operation(
                template,
                method.upper(),
                operation["operationId"],
                bool(operation.get("deprecated")),
            )
            candidates.append((template.count("{"), found))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _mock_request(method: str, path: str, query: dict[str, str], body: bytes) -> MockRequest:
    return MockRequest(
        SPOTIFY_HOST, method, path, args=query, data=body, headers={"Authorization": "Bearer x"}
    )


def validate_request(recorded: RecordedRequest) -> None:
    """Raise if a request the stand-in received breaks the spec (parameters, body)."""
    # openapi-core cannot check the oauth2 scheme and warns; the stand-in checks tokens itself.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        _validate_request(recorded)


def _validate_request(recorded: RecordedRequest) -> None:
    openapi().validate_request(
        _mock_request(recorded.method, recorded.path, recorded.query, recorded.body)
    )


def validate_response(
    method: str,
    path: str,
    query: dict[str, str],
    status: int,
    body: Any,
    headers: dict[str, str] | None = None,
) -> None:
    """Raise if an answer of the stand-in breaks the spec's response for that operation."""
    request = _mock_request(method, path, query, b"")
    payload = json.dumps(body).encode("utf-8")
    openapi().validate_response(request, MockResponse(payload, status, headers or {}))


def validate_error_body(body: Any) -> None:
    """Raise unless `body` is Spotify's {"error": ErrorObject} envelope."""
    schema = {
        "type": "object",
        "required": ["error"],
        "properties": {"error": spec_document()["components"]["schemas"]["ErrorObject"]},
    }
    Draft4Validator(schema).validate(body)


def url_for(path: str, query: dict[str, Any]) -> str:
    """Return path?query for error messages."""
    return f"{path}?{urlencode(query)}" if query else path
