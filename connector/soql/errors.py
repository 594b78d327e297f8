"""The one error SOQL parsing and compiling raise.

``code`` is the Salesforce ``errorCode`` a real org would answer with, so the
org emulator can put it straight into its 400 body. ``message`` is shaped like
Salesforce's own: the offending line, a caret under the problem, the row and
column, then the explanation. ``detail`` is the explanation alone, for callers
that report the location themselves (the mapping loader does).
"""

from __future__ import annotations

from connector.errors import ConnectorError

MALFORMED_QUERY = "MALFORMED_QUERY"
INVALID_FIELD = "INVALID_FIELD"
INVALID_TYPE = "INVALID_TYPE"
#: OFFSET beyond what Salesforce allows; a real org answers with this code.
NUMBER_OUTSIDE_VALID_RANGE = "NUMBER_OUTSIDE_VALID_RANGE"


class SoqlError(ConnectorError):
    """A query Salesforce would refuse with HTTP 400."""

    def __init__(self, code: str, message: str, *, detail: str | None = None,
                 position: int | None = None, row: int | None = None,
                 column: int | None = None) -> None:
        self.code = code
        self.message = message
        self.detail = detail if detail is not None else message
        #: 0-based character offset into the query text, when known
        self.position = position
        #: 1-based row and column of ``position``
        self.row = row
        self.column = column
        super().__init__(f"{code}: {message}")

    @classmethod
    def at(cls, code: str, detail: str, *, text: str, position: int) -> SoqlError:
        """An error pointing at ``position`` in ``text``, worded like Salesforce's."""
        position = max(0, min(position, len(text)))
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        line = text[line_start:line_end if line_end != -1 else len(text)]
        row = text.count("\n", 0, position) + 1
        column = position - line_start + 1
        caret = " " * (column - 1) + "^"
        message = f"\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{detail}"
        return cls(code, message, detail=detail, position=position, row=row, column=column)
