"""The simulator's persistent state: JSON files under one folder, shared by every invocation.

``config.json`` holds the behaviour switches and the partner profile (safe to
edit by hand); ``state.json`` holds what ACE remembers: its records, the file
names it has processed, the partner's payload-version high-water mark, the
records changed since the last export and the id counters.

Each file is written atomically (temporary file, fsync, rename) and every
read-modify-write happens under an exclusive lock on ``.lock``, so separate
commands (``tick`` in one shell, ``review`` in another) never clobber each other.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.errors import ConfigurationError
from connector.sandbox.ace.config import SimulatorConfig

STATE_SCHEMA_VERSION = 1
CONFIG_FILE = "config.json"
STATE_FILE = "state.json"
LOCK_FILE = ".lock"

#: First ids handed out: `O` + 7 digits and `L` + 7 digits (ACE-CONTRACT §16.6).
FIRST_OPPORTUNITY_NUMBER = 1_000_001
FIRST_LEAD_NUMBER = 1_000_001


@dataclass
class SimulatorState:
    """Everything ACE remembers about the partner, as plain JSON-able values."""

    #: highest payload major version the partner has sent (None: nothing yet)
    version_high_water: int | None = None
    #: entity → {inbound file name → processing time}
    processed: dict[str, dict[str, str]] = field(default_factory=lambda: {"opportunity": {}, "lead": {}})
    #: inbound key → S3 writes still owed for it (survive a crash mid-file)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: id → {"fields": {...}, "meta": {...}}
    opportunities: dict[str, dict[str, Any]] = field(default_factory=dict)
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: entity → ids changed since the last export, oldest change first
    changed: dict[str, list[str]] = field(default_factory=lambda: {"opportunity": [], "lead": []})
    next_numbers: dict[str, int] = field(default_factory=lambda: {
        "opportunity": FIRST_OPPORTUNITY_NUMBER, "lead": FIRST_LEAD_NUMBER})
    #: objects modified before this instant were already checked for partner writes (ISO UTC)
    permission_checked_until: str | None = None
    #: key → version (ETag and time) of the recent objects already checked for partner writes
    permission_checked: dict[str, str] = field(default_factory=dict)
    export_sequence: int = 0

    def store(self, entity: str) -> dict[str, dict[str, Any]]:
        return self.opportunities if entity == "opportunity" else self.leads

    def new_id(self, entity: str) -> str:
        number = self.next_numbers[entity]
        self.next_numbers[entity] = number + 1
        return ("O" if entity == "opportunity" else "L") + str(number)

    def mark_changed(self, entity: str, record_id: str) -> None:
        ids = self.changed[entity]
        if record_id in ids:
            ids.remove(record_id)
        ids.append(record_id)

    def to_json(self) -> dict[str, Any]:
        return {"schema": STATE_SCHEMA_VERSION, **self.__dict__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimulatorState:
        schema = data.pop("schema", STATE_SCHEMA_VERSION)
        if schema != STATE_SCHEMA_VERSION:
            raise ConfigurationError(f"simulator state schema {schema} is not supported "
                                     f"(expected {STATE_SCHEMA_VERSION}); use a new --state folder")
        return cls(**data)


class StateStore:
    """The state folder. Use ``with store.session() as (config, state): ...``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with open(self.directory / LOCK_FILE, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load_config(self) -> SimulatorConfig:
        data = self._read(CONFIG_FILE)
        if data is None:
            return SimulatorConfig()
        try:
            return SimulatorConfig.from_json(data)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{self.directory / CONFIG_FILE}: {exc}") from exc

    def save_config(self, config: SimulatorConfig) -> None:
        self._write(CONFIG_FILE, config.to_json())

    def load_state(self) -> SimulatorState:
        data = self._read(STATE_FILE)
        if data is None:
            return SimulatorState()
        try:
            return SimulatorState.from_json(data)
        except TypeError as exc:
            raise ConfigurationError(f"{self.directory / STATE_FILE} is not simulator state: {exc}") from exc

    def save_state(self, state: SimulatorState) -> None:
        self._write(STATE_FILE, state.to_json())

    @contextmanager
    def session(self) -> Iterator[tuple[SimulatorConfig, SimulatorState]]:
        """Lock, load, yield, and save the state if the block finished without error."""
        with self.locked():
            config = self.load_config()
            state = self.load_state()
            yield config, state
            self.save_state(state)

    def _read(self, name: str) -> dict[str, Any] | None:
        path = self.directory / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{path} is not valid JSON ({exc}); fix or remove it") from exc
        if not isinstance(data, dict):
            raise ConfigurationError(f"{path} must hold a JSON object")
        return data

    def _write(self, name: str, data: dict[str, Any]) -> None:
        path = self.directory / name
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=False, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
