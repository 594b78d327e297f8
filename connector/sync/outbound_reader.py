"""Read an outbound file record by record, never holding the whole file.

ACE's outbound files hold many records, and a file of tens of megabytes must
not be loaded and parsed in one piece. This reader walks the top-level JSON
object incrementally: ordinary top-level values (``version``, ``spmsId``) are
decoded whole, while the record arrays (``opportunities``, ``leads``,
``Leads``) are decoded one record at a time with ``json.JSONDecoder.raw_decode``
over a sliding text buffer.

The outbound flow reads a file twice: :func:`scan_envelope` checks the whole
file (syntax to the last byte, envelope, every record an object) and discards
the records; only when that passes does :func:`iter_records` hand them out.
So a truncated or broken file is quarantined before any of it is written.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from connector.ace.jsonio import MAX_NESTING_DEPTH, check_nesting, describe_type, dump_json, quote_input
from connector.ace.models import read_envelope
from connector.errors import MalformedFileError

#: Bytes read from S3 per step.
READ_CHUNK_BYTES = 64 * 1024
#: A single record (or top-level value) larger than this is refused: ACE records are a few KB.
MAX_VALUE_CHARS = 4 * 1024 * 1024
#: Every spelling of a record array; they are streamed, whatever the file's entity.
STREAMED_KEYS = frozenset({"opportunities", "leads", "Leads"})

_WHITESPACE = " \t\n\r"
_ARRAY_START = object()  # marks the start of a streamed array in the event stream


@dataclass(frozen=True)
class OutboundEnvelope:
    """What the whole-file check learned: the envelope, and how many records follow."""

    entity: str
    version: str | None
    major_version: int | None
    spms_id: str | None
    record_key: str
    record_count: int


class _TextStream:
    """Text decoded from a byte stream on demand, with absolute positions for error messages."""

    def __init__(self, stream: IO[bytes], *, key: str | None) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.key = key
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self._dropped_chars = 0  # characters discarded from the front of the buffer

    def more(self) -> bool:
        """Append the next chunk; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self._stream.read(READ_CHUNK_BYTES)
        try:
            text = self._decoder.decode(chunk or b"", final=not chunk)
        except UnicodeDecodeError as exc:
            raise self.error(f"not UTF-8 text: byte 0x{exc.object[exc.start]:02x} near char "
                             f"{self._dropped_chars + len(self.buffer)}") from None
        if not chunk:
            self.eof = True
        if self.pos > READ_CHUNK_BYTES:  # forget what was consumed
            self._dropped_chars += self.pos
            self.buffer, self.pos = self.buffer[self.pos:], 0
        self.buffer += text
        return bool(chunk) or bool(text)

    def error(self, reason: str) -> MalformedFileError:
        return MalformedFileError(reason, key=self.key)

    def where(self, offset: int | None = None) -> str:
        return f"char {self._dropped_chars + (self.pos if offset is None else offset)}"

    def peek(self) -> str:
        """The next non-whitespace character ("" at the end), without consuming it."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def expect(self, allowed: str, *, what: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            found = f"{char!r}" if char else "the end of the file"
            raise self.error(f"invalid JSON at {self.where()}: expected {what}, found {found}")
        self.pos += 1
        return char

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode one whole JSON value at the current position."""
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                where = self.where(exc.pos)  # before more() moves the buffer
                if len(self.buffer) - self.pos > MAX_VALUE_CHARS:
                    raise self.error(f"invalid JSON at {where}: {exc.msg} (or a value "
                                     f"over {MAX_VALUE_CHARS} characters)") from None
                if not self.more():
                    raise self.error(f"invalid JSON at {where}: {exc.msg}") from None
                continue
            except ValueError as exc:  # NaN / Infinity, refused by parse_constant
                raise self.error(f"invalid JSON at {self.where()}: {exc}") from None
            except RecursionError:
                raise self.error(f"JSON nested more than {MAX_NESTING_DEPTH} levels deep at "
                                 f"{self.where()}") from None
            if end == len(self.buffer) and self.more():
                continue  # a number may go on in the next chunk: decode it again, whole
            self.pos = end
            return check_nesting(value, key=self.key)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _events(stream: IO[bytes], *, key: str | None) -> Iterator[tuple[str, int | None, Any]]:
    """``(name, None, value)`` for top-level values; for a streamed array ``(name, None, _ARRAY_START)``
    and then ``(name, index, record)`` for each element."""
    text = _TextStream(stream, key=key)
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    if text.peek() == "":
        raise text.error("empty file: expected a JSON object")
    if text.peek() != "{":
        raise text.error(f"{quote_input(text.value(decoder))} is not of type 'object'")
    text.expect("{", what="'{'")
    seen: set[str] = set()
    if text.peek() == "}":
        text.pos += 1
    else:
        while True:
            if text.peek() != '"':
                text.expect('"', what="a key in double quotes")
            name = text.value(decoder)
            if name in seen:
                raise text.error(f"the top-level key {name!r} appears twice")
            seen.add(name)
            text.expect(":", what="':'")
            if name in STREAMED_KEYS and text.peek() == "[":
                yield name, None, _ARRAY_START
                yield from _array(text, decoder, name=name)
            else:
                yield name, None, text.value(decoder)
            if text.expect(",}", what="',' or '}'") == "}":
                break
    if text.peek() != "":
        raise text.error(f"invalid JSON at {text.where()}: extra data after the top-level object")


def _array(text: _TextStream, decoder: json.JSONDecoder, *, name: str) -> Iterator[tuple[str, int, Any]]:
    text.expect("[", what="'['")
    if text.peek() == "]":
        text.pos += 1
        return
    index = 0
    while True:
        yield name, index, text.value(decoder)
        index += 1
        if text.expect(",]", what="',' or ']'") == "]":
            return


def scan_envelope(stream: IO[bytes], *, entity: str, key: str | None = None) -> OutboundEnvelope:
    """Check a whole outbound file without keeping its records; MalformedFileError when unusable."""
    skeleton: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for name, index, value in _events(stream, key=key):
        if index is None:
            skeleton[name] = [] if value is _ARRAY_START else value
            if value is _ARRAY_START:
                counts[name] = 0
        else:
            if not isinstance(value, dict):
                raise MalformedFileError(f"{name}[{index}]: {quote_input(value)} is not of type 'object' "
                                         f"(a {describe_type(value)})", key=key)
            counts[name] += 1
    # The envelope rules (record key spelling, version, spmsId) are the contract layer's:
    # run them on the file's skeleton, the records left out.
    raw = read_envelope(dump_json(skeleton), entity=entity, key=key)
    return OutboundEnvelope(entity=entity, version=raw.version, major_version=raw.major_version,
                            spms_id=raw.spms_id, record_key=raw.record_key,
                            record_count=counts.get(raw.record_key, 0))


def iter_records(stream: IO[bytes], *, record_key: str, key: str | None = None) -> Iterator[dict[str, Any]]:
    """The records of ``record_key``, one at a time (call :func:`scan_envelope` first)."""
    for name, index, value in _events(stream, key=key):
        if name == record_key and index is not None:
            yield value
