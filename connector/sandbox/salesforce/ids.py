"""Salesforce record ids: 15/18-character forms, the checksum, and allocation.

An id is a 3-character key prefix, a 2-character pod, a ``0`` and a 9-character
base-62 counter (15 characters, case-sensitive), followed by a 3-character
checksum that makes the 18-character form safe for case-insensitive systems.
"""

from __future__ import annotations

import re
import threading

BASE62_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
#: The emulated org's pod: the two characters after the key prefix.
POD = "8c"
COUNTER_DIGITS = 9

_ID_SYNTAX = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def checksum(id15: str) -> str:
    """The three-character suffix of an 18-character id."""
    suffix = []
    for group_start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[group_start:group_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def to_id18(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None if it is not an id.

    An 18-character value whose checksum does not match its first 15 characters
    is not an id (it was mangled by a case-insensitive system).
    """
    if not _ID_SYNTAX.match(value):
        return None
    id15 = value[:15]
    expected = id15 + checksum(id15)
    if len(value) == 18 and value[15:].upper() != expected[15:]:
        return None
    return expected


def _base62(number: int, *, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62_DIGITS[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def _from_base62(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + BASE62_DIGITS.index(char)
    return number


def make_id(key_prefix: str, counter: int) -> str:
    id15 = f"{key_prefix}{POD}0{_base62(counter, width=COUNTER_DIGITS)}"
    return id15 + checksum(id15)


def counter_of(record_id: str) -> int:
    """The allocation counter encoded in an id this emulator made (0 if foreign)."""
    try:
        return _from_base62(record_id[6:15])
    except ValueError:
        return 0


class IdAllocator:
    """Hands out increasing ids per key prefix; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, int] = {}

    def start_after(self, key_prefix: str, counter: int) -> None:
        """Make the next id of ``key_prefix`` larger than ``counter`` (after a restart)."""
        with self._lock:
            self._next[key_prefix] = max(self._next.get(key_prefix, 1), counter + 1)

    def new(self, key_prefix: str) -> str:
        with self._lock:
            counter = self._next.get(key_prefix, 1)
            self._next[key_prefix] = counter + 1
        return make_id(key_prefix, counter)

    def reset(self) -> None:
        with self._lock:
            self._next.clear()
