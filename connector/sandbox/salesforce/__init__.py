"""The Salesforce org emulator: an HTTPS server that unmodified simple-salesforce talks to.

``EmulatorServer`` runs it on a thread (tests, the demo); ``ace-connector sandbox
salesforce`` runs it from the command line. State lives in SQLite; the org's
schema is the standard objects plus the custom fields of the sfdx source.
"""

from __future__ import annotations

__all__ = ["EmulatorServer"]


def __getattr__(name: str):  # noqa: ANN202 - lazy, so importing the schema stays light
    if name == "EmulatorServer":
        from connector.sandbox.salesforce.server import EmulatorServer

        return EmulatorServer
    raise AttributeError(name)
