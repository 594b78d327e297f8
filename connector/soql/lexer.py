"""Splits SOQL text into tokens; every character it cannot use is a MALFORMED_QUERY.

String literals are decoded here (with their LIKE-pattern form, see
``StringValue``); dates and datetimes are recognised and checked here, because
``2024-06-03`` would otherwise read as three numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from connector.soql.errors import MALFORMED_QUERY, SoqlError

IDENT, STRING, NUMBER, DATE, DATETIME, OPERATOR, PUNCT, EOF = (
    "identifier", "string", "number", "date", "datetime", "operator", "punctuation", "end")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# re.ASCII throughout: \d must not accept other scripts' digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
# What a datetime-looking word may contain; checked against _DATETIME afterwards,
# so that a near miss (``.000+0000``) gets its own message instead of odd tokens.
_DATETIME_WORD = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9A-Za-z:.+-]*", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))", re.ASCII)
# A whole malformed literal, so the message can quote it.
_LITERAL_WORD = re.compile(r"[0-9A-Za-z_.+:-]+")
_OPERATORS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION = "(),.:"
# \% and \_ decode to the plain characters; the LIKE pattern keeps them escaped.
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b",
            "f": "\f", "%": "%", "_": "_"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_LIKE_WILDCARDS = "%_"
MAX_OFFSET_HOURS = 14


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int
    #: decoded value: str for identifiers/operators/punctuation, (value, like_pattern)
    #: for strings, Decimal, date or aware datetime
    value: object = None

    def is_word(self, *words: str) -> bool:
        return self.kind == IDENT and self.text.upper() in words

    def describe(self) -> str:
        return "<EOF>" if self.kind == EOF else self.text


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            tokens.append(Token(EOF, "", position))
            return tokens
        token = _next_token(text, position)
        tokens.append(token)
        position += len(token.text)


def _next_token(text: str, position: int) -> Token:
    char = text[position]
    if char == "'":
        return _string(text, position)
    if "0" <= char <= "9" or (char in "+-." and _NUMBER.match(text, position)):
        return _number_or_date(text, position)
    if match := _IDENT.match(text, position):
        return Token(IDENT, match.group(), position, match.group())
    for operator in _OPERATORS:
        if text.startswith(operator, position):
            return Token(OPERATOR, operator, position, "!=" if operator == "<>" else operator)
    if char in _PUNCTUATION:
        return Token(PUNCT, char, position, char)
    hint = {'"': " (string literals take single quotes)",
            "*": " (SOQL has no SELECT *: list the fields)"}.get(char, "")
    raise _error(text, position, f"no viable alternative at character '{char}'{hint}")


def _string(text: str, start: int) -> Token:
    value: list[str] = []
    pattern: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "'":
            return Token(STRING, text[start:position + 1], start, ("".join(value), "".join(pattern)))
        if char != "\\":
            value.append(char)
            pattern.append(char)
            position += 1
            continue
        escape = text[position + 1:position + 2]
        if escape and escape in _ESCAPES:
            decoded, length = _ESCAPES[escape], 2
        elif escape == "u" and _HEX4.fullmatch(text, position + 2, position + 6):
            decoded, length = chr(int(text[position + 2:position + 6], 16)), 6
        else:
            shown = "\\" + (escape if escape != "u" else text[position + 1:position + 6])
            raise _error(text, position, f"Invalid string literal: illegal escape sequence "
                                         f"'{shown}' (valid: \\' \\\" \\\\ \\n \\r \\t \\b \\f "
                                         f"\\uXXXX, and \\% \\_ in LIKE)")
        value.append(decoded)
        # Anything written as an escape is literal text, also inside LIKE.
        pattern.append("\\" + decoded if decoded in _LIKE_WILDCARDS + "\\" else decoded)
        position += length
    raise _error(text, start, "unterminated string literal: a closing ' is missing")


def _number_or_date(text: str, position: int) -> Token:
    if word := _DATETIME_WORD.match(text, position):
        return _datetime(text, position, word.group())
    if (match := _DATE.match(text, position)) and not _continues_word(text, match.end()):
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _error(text, position, f"invalid date '{match.group()}': no such day") from None
        return Token(DATE, match.group(), position, day)
    match = _NUMBER.match(text, position)
    if match is None or _continues_word(text, match.end()):
        word = _LITERAL_WORD.match(text, position).group()
        raise _error(text, position, f"invalid number or date literal '{word}'")
    return Token(NUMBER, match.group(), position, Decimal(match.group()))


def _continues_word(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] in "_-.")


def _datetime(text: str, position: int, word: str) -> Token:
    match = _DATETIME.fullmatch(word)
    if match is None:
        raise _error(text, position, f"invalid datetime literal '{word}': write "
                     "YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm (optionally with .SSS "
                     "before the zone); the API's output form '.000+0000' is not a SOQL literal")
    year, month, day, hour, minute, second, millis, zone, sign, zone_hours, zone_minutes = (
        match.groups())
    offset = timedelta(0)
    if zone != "Z":
        if int(zone_hours) > MAX_OFFSET_HOURS or int(zone_minutes) > 59:
            raise _error(text, position, f"invalid datetime literal '{word}': bad zone offset")
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        offset = -offset if sign == "-" else offset
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                         int((millis or "0").ljust(3, "0")) * 1000, tzinfo=timezone(offset))
    except ValueError as exc:
        raise _error(text, position, f"invalid datetime literal '{word}': {exc}") from None
    return Token(DATETIME, word, position, value)


def _error(text: str, position: int, detail: str) -> SoqlError:
    return SoqlError.at(MALFORMED_QUERY, detail, text=text, position=position)
