"""Read a large JSON document piece by piece: object keys, then array items one at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from musaic.catalog.importers.records import ImportFormatError

_CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"


class JsonStream:
    """A cursor over JSON text that decodes one value at a time, keeping memory flat."""

    def __init__(self, text: IO[str], name: str) -> None:
        self._text = text
        self._name = name
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._text.read(_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def peek(self) -> str:
        """Return the next non-blank character without consuming it ("" at the end)."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def expect(self, char: str, what: str) -> None:
        """Consume `char` or fail saying the document is not `what`."""
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise ImportFormatError(f"{self._name}: expected {what}, found {shown}")
        self._pos += 1

    def value(self) -> Any:
        """Decode and consume the next complete JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise ImportFormatError(f"{self._name}: invalid JSON ({exc.msg})") from exc
            if end == len(self._buffer) and not isinstance(value, dict | list) and self._fill():
                continue  # a number or literal may go on in the next chunk
            self._pos = end
            return value

    def members(self, what: str) -> Iterator[str]:
        """Yield the keys of an object; the caller consumes each value before asking again."""
        self.expect("{", what)
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise ImportFormatError(f"{self._name}: expected an object key in {what}")
            self.expect(":", f"':' after {key!r}")
            yield key
            if self.peek() == ",":
                self._pos += 1
                continue
            self.expect("}", f"',' or '}}' in {what}")
            return

    def items(self, what: str) -> Iterator[Any]:
        """Yield the items of an array one decoded value at a time."""
        self.expect("[", what)
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self._pos += 1
                continue
            self.expect("]", f"',' or ']' in {what}")
            return

    def expect_end(self) -> None:
        """Fail when anything but whitespace follows the document."""
        if self.peek():
            raise ImportFormatError(f"{self._name}: unexpected text after the JSON document")
