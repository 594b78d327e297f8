"""Placeholders in scenario values, resolved when a step runs.

``${today+90d}`` (UTC date, ``-`` works too), ``${sf_id:opp}`` (the Salesforce
Id of the step's record ``opp``) and ``${ace_id:opp}`` (its ACE id). Dates are
relative so that a scenario never goes stale against ACE's "close date not in
the past" rule; ids are only known once the step has created the records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{(?:(today)([+-]\d+)d|(sf_id|ace_id):([A-Za-z_][\w-]*))\}")


class UnresolvedValue(LookupError):
    """A placeholder names a record the step has not created, or one without an ACE id yet."""


def resolve(value: Any, *, today: date, ids: Callable[[str, str], str | None]) -> Any:
    """``value`` with every placeholder replaced, recursively through lists and mappings."""
    if isinstance(value, str):
        return _resolve_text(value, today=today, ids=ids)
    if isinstance(value, list):
        return [resolve(item, today=today, ids=ids) for item in value]
    if isinstance(value, Mapping):
        return {key: resolve(item, today=today, ids=ids) for key, item in value.items()}
    return value


def _resolve_text(text: str, *, today: date, ids: Callable[[str, str], str | None]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return (today + timedelta(days=int(match.group(2)))).isoformat()
        kind, record = match.group(3), match.group(4)
        found = ids(kind, record)
        if not found:
            raise UnresolvedValue(f"{match.group(0)}: record {record!r} has no {kind.replace('_', ' ')} yet")
        return found
    return _PLACEHOLDER.sub(replace, text)
