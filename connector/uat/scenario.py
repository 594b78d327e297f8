"""AWS's UAT test scripts as data: one YAML file per sheet, read into plain dataclasses.

A file names the AWS workbook sheet it answers (``sheet``), groups its steps by
business process (``sections``), and gives each step the sheet's step number,
a short title, what to do (``setup`` and ``action``: operations) and what must
then be true (``checks``). Records are described in ACE's field names, the
language of the sheets; the runner translates them through the Salesforce
mappings. The vocabulary of operations and checks is fixed here, so a typo in
a scenario file is a load error with the file and the step, never a silently
skipped check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector.errors import ConfigurationError

SCENARIO_FORMAT_VERSION = 1

#: Operation name -> (required keys, optional keys). Operations run in order.
OPERATIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # The admin, in Salesforce.
    "create": (frozenset({"record"}), frozenset({"entity", "like", "ace", "salesforce"})),
    "update": (frozenset({"record"}), frozenset({"like", "ace", "salesforce"})),
    # The connector: one full cycle of its flows (and, in the sandbox, ACE's answers).
    "sync": (frozenset(), frozenset({"rounds"})),
    # AWS's people. The sandbox plays them; live, AWS must act (a support case).
    "refer": (frozenset({"record", "entity"}), frozenset({"like", "ace"})),
    "review": (frozenset({"record", "to"}), frozenset({"comment"})),
    "seller_update": (frozenset({"record"}), frozenset({"stage", "next_step", "close_date", "ace"})),
    "partner_profile": (frozenset(), frozenset({"partner_type", "isv_accelerate", "special_program"})),
}
#: Operations only AWS can perform: live, a step that uses one waits for AWS and is not run.
AWS_OPERATIONS = frozenset({"refer", "review", "seller_update", "partner_profile"})

#: Check name -> (required keys, optional keys).
CHECKS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # The record was accepted by ACE: Synced in Salesforce, with its ACE id.
    "synced": (frozenset({"record"}), frozenset()),
    # The record was refused (by the connector's pre-flight check or by ACE), with a readable reason.
    "refused": (frozenset({"record"}), frozenset({"message", "status"})),
    # Salesforce fields, read back through the mapping (ace:) or by API name (salesforce:).
    "salesforce": (frozenset({"record"}), frozenset({"ace", "salesforce"})),
    # ACE's copy of the record (sandbox: the simulator's books).
    "ace": (frozenset({"record"}), frozenset({"fields"})),
    # ACE holds no record for this Salesforce record.
    "not_in_ace": (frozenset({"record"}), frozenset()),
    # Every file the connector put in the inbound folders during the step.
    "inbound_files": (frozenset(), frozenset({"version", "min_files", "without_fields"})),
}

ENTITIES = ("opportunity", "lead")


@dataclass(frozen=True)
class Operation:
    """One thing done during a step: ``kind`` is a key of ``OPERATIONS`` (or of ``CHECKS``)."""

    kind: str
    args: Mapping[str, Any]

    @property
    def record(self) -> str | None:
        return self.args.get("record")

    @property
    def needs_aws(self) -> bool:
        return self.kind in AWS_OPERATIONS


@dataclass(frozen=True)
class Step:
    sheet: str
    number: str
    title: str
    instructions: str
    expected: str
    section: str
    setup: tuple[Operation, ...] = ()
    action: tuple[Operation, ...] = ()
    checks: tuple[Operation, ...] = ()
    #: why the sandbox cannot prove this step (it is reported as such, never passed)
    not_provable: str | None = None
    #: remarks that go to the workbook's User Notes whatever the outcome
    notes: str | None = None

    @property
    def id(self) -> str:
        """``<sheet key>:<step>``, e.g. ``partner-opportunity-create:7.10``."""
        return f"{self.sheet}:{self.number}"

    @property
    def operations(self) -> tuple[Operation, ...]:
        return self.setup + self.action

    @property
    def needs_aws(self) -> bool:
        return any(op.needs_aws for op in self.operations)


@dataclass(frozen=True)
class Section:
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Scenario:
    """One AWS workbook sheet."""

    key: str
    sheet: str
    order: int
    description: str
    sections: tuple[Section, ...]
    file: str = ""
    #: named sets of ACE field values that ``create``/``update``/``refer`` start from (``like:``)
    templates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for section in self.sections for step in section.steps)


@dataclass
class _Reader:
    """Reads one file, collecting every problem with where it is."""

    file: str
    problems: list[str] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def text(self, data: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.problem(where, f"'{name}' is required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(where, f"'{name}' must be text, not {type(value).__name__}")
            return ""
        return str(value).strip()

    def keys(self, data: Mapping[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            self.problem(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")

    def operations(self, raw: Any, vocabulary: Mapping[str, tuple[frozenset[str], frozenset[str]]],
                   where: str, templates: Mapping[str, Any]) -> tuple[Operation, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(where, "must be a list of one-key mappings")
            return ()
        found = []
        for index, item in enumerate(raw, start=1):
            place = f"{where} #{index}"
            if not isinstance(item, dict) or len(item) != 1:
                self.problem(place, "each entry is a mapping with exactly one key (the operation or check name)")
                continue
            (kind, args), = item.items()
            if kind not in vocabulary:
                self.problem(place, f"unknown {where.rsplit(' ', 1)[-1]} {kind!r}; known: {', '.join(vocabulary)}")
                continue
            args = {} if args is None else args
            if not isinstance(args, dict):
                self.problem(place, f"'{kind}' takes a mapping of arguments")
                continue
            required, optional = vocabulary[kind]
            self.keys(args, required | optional, f"{place} ({kind})")
            for name in sorted(required - set(args)):
                self.problem(f"{place} ({kind})", f"'{name}' is required")
            if args.get("entity") is not None and args["entity"] not in ENTITIES:
                self.problem(f"{place} ({kind})", f"entity must be one of {', '.join(ENTITIES)}")
            like = args.get("like")
            if like is not None and like not in templates:
                self.problem(f"{place} ({kind})", f"no template {like!r}; templates: {', '.join(templates) or 'none'}")
            for name in ("ace", "salesforce", "fields"):
                if name in args and not isinstance(args[name], dict):
                    self.problem(f"{place} ({kind})", f"'{name}' must be a mapping of field: value")
            found.append(Operation(kind=kind, args=dict(args)))
        return tuple(found)


_STEP_KEYS = {"step", "title", "instructions", "expected", "setup", "action", "checks", "not_provable", "notes"}
_FILE_KEYS = {"version", "key", "sheet", "order", "description", "templates", "sections"}


def parse_scenario(text: str, *, file: str = "<scenario>") -> Scenario:
    """Read one scenario file; every problem in it is reported at once."""
    reader = _Reader(file)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{file}: a scenario file is a mapping with 'sheet' and 'sections'")
    reader.keys(data, _FILE_KEYS, "file")
    if data.get("version") != SCENARIO_FORMAT_VERSION:
        reader.problem("file", f"'version' must be {SCENARIO_FORMAT_VERSION}, not {data.get('version')!r}")
    templates = data.get("templates") or {}
    if not isinstance(templates, dict) or not all(isinstance(v, dict) for v in templates.values()):
        reader.problem("templates", "must map template names to mappings of ACE field: value")
        templates = {}
    key = reader.text(data, "key", "file")
    sheet = reader.text(data, "sheet", "file")
    order = data.get("order", 0)
    sections = []
    seen: set[str] = set()
    for s_index, raw_section in enumerate(data.get("sections") or [], start=1):
        if not isinstance(raw_section, dict):
            reader.problem(f"section #{s_index}", "must be a mapping with 'title' and 'steps'")
            continue
        reader.keys(raw_section, {"title", "steps"}, f"section #{s_index}")
        title = reader.text(raw_section, "title", f"section #{s_index}")
        steps = []
        for raw in raw_section.get("steps") or []:
            step = _read_step(reader, raw, key=key, section=title, templates=templates)
            if step is None:
                continue
            if step.number in seen:
                reader.problem(f"step {step.number}", "step number used twice in this sheet")
            seen.add(step.number)
            steps.append(step)
        sections.append(Section(title=title, steps=tuple(steps)))
    if not sections:
        reader.problem("file", "no sections: a scenario file needs at least one section with steps")
    if reader.problems:
        raise ConfigurationError("invalid UAT scenario:\n" + "\n".join(reader.problems))
    return Scenario(key=key, sheet=sheet, order=int(order), description=str(data.get("description") or "").strip(),
                    sections=tuple(sections), file=file, templates=dict(templates))


def _read_step(reader: _Reader, raw: Any, *, key: str, section: str,
               templates: Mapping[str, Any]) -> Step | None:
    if not isinstance(raw, dict):
        reader.problem(f"section {section!r}", "each step is a mapping")
        return None
    number = reader.text(raw, "step", "step ?")
    where = f"step {number or '?'}"
    reader.keys(raw, _STEP_KEYS, where)
    if isinstance(raw.get("step"), float):
        # 7.10 written as a YAML number reads as 7.1: the very confusion AWS's own sheets have.
        reader.problem(where, "write the step number as text (\"7.10\"), a YAML number loses trailing zeros")
    not_provable = reader.text(raw, "not_provable", where, required=False) or None
    step = Step(
        sheet=key, number=number, title=reader.text(raw, "title", where),
        instructions=reader.text(raw, "instructions", where), expected=reader.text(raw, "expected", where),
        section=section,
        setup=reader.operations(raw.get("setup"), OPERATIONS, f"{where} setup operation", templates),
        action=reader.operations(raw.get("action"), OPERATIONS, f"{where} action operation", templates),
        checks=reader.operations(raw.get("checks"), CHECKS, f"{where} check", templates),
        not_provable=not_provable, notes=reader.text(raw, "notes", where, required=False) or None,
    )
    if not step.checks and not step.not_provable:
        reader.problem(where, "a step needs checks, or 'not_provable' with the reason")
    _check_record_names(reader, step, where)
    return step


def _check_record_names(reader: _Reader, step: Step, where: str) -> None:
    """Every record a step updates or checks was created or referred earlier in the same step."""
    known: set[str] = set()
    for op in (*step.operations, *step.checks):
        name = op.record
        if name is None:
            continue
        if op.kind in ("create", "refer"):
            if name in known:
                reader.problem(where, f"record {name!r} is created twice")
            known.add(name)
        elif name not in known:
            reader.problem(where, f"{op.kind} uses record {name!r} before a create or refer names it")


def load_scenario_file(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read UAT scenario {path}: {exc.strerror or exc}") from None
    scenario = parse_scenario(text, file=str(path))
    return scenario


def load_scenarios(directory: str | Path) -> list[Scenario]:
    """Every ``*.yaml`` scenario under ``directory``, in sheet order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigurationError(f"UAT scenario folder {directory} does not exist")
    problems = []
    scenarios = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            scenarios.append(load_scenario_file(path))
        except ConfigurationError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigurationError("\n".join(problems))
    if not scenarios:
        raise ConfigurationError(f"no UAT scenario files (*.yaml) in {directory}")
    keys = [s.key for s in scenarios]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ConfigurationError(f"scenario key(s) used by more than one file: {', '.join(duplicates)}")
    return sorted(scenarios, key=lambda s: (s.order, s.key))


def select_steps(scenarios: Sequence[Scenario], only: Sequence[str] = ()) -> list[Step]:
    """The steps to run: all, or those named by ``only`` (``7.10``, ``<sheet>:7.10`` or a sheet key)."""
    steps = [step for scenario in scenarios for step in scenario.steps]
    if not only:
        return steps
    chosen = []
    for wanted in only:
        matches = [s for s in steps if wanted in (s.id, s.number, s.sheet)]
        if not matches:
            raise ConfigurationError(f"--only {wanted}: no such step; use a step number (7.10), "
                                     "<sheet>:<step> (partner-opportunity-create:7.10) or a sheet key "
                                     f"({', '.join(sorted({s.sheet for s in steps}))})")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen
