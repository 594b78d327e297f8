"""`ace-connector sandbox salesforce`: the Salesforce org emulator."""

from __future__ import annotations

from connector.cli.common import not_built


def salesforce() -> None:
    """Run the Salesforce org emulator (HTTPS, SQLite)."""
    not_built("sandbox salesforce")
