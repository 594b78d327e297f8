"""Runs scenario steps against a backend and turns what happened into ``StepResult``s.

Each step starts from nothing of its own: it creates (or has AWS refer) the
records it names, so any step can run alone (``--only``). The admin's edits
go through the partner's mappings (``translate``), the connector runs for real
(``Backend.sync``), and the checks read Salesforce, the bucket and ACE.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connector.errors import ConnectorError
from connector.mapping import CompiledMapping
from connector.uat.backend import AwsActionUnavailable, Backend, InboundFile, SyncTrace
from connector.uat.checks import CHECK_FUNCTIONS
from connector.uat.outcome import CheckResult, RunResult, Status, StepResult
from connector.uat.scenario import Operation, Scenario, Step
from connector.uat.translate import SHARE_FIELD, TranslationError, fields_to_read, to_salesforce_values
from connector.uat.values import UnresolvedValue, resolve

#: Records the suite creates carry this in their name, so nobody mistakes them for real deals.
UAT_NAME_PREFIX = "UAT-"
TITLE_FIELD = "partnerProjectTitle"


class StepAborted(Exception):
    """The step cannot go on (a write refused, a flow crashed); the message says why."""


@dataclass
class RecordRef:
    name: str
    entity: str
    sf_id: str | None = None
    ace_id: str | None = None  # known at once for AWS referrals, later read from Salesforce

    @property
    def label(self) -> str:
        return f"{self.entity} {self.name!r}"


@dataclass
class StepContext:
    """One step's view: its records, its syncs, and the helpers checks use."""

    backend: Backend
    mappings: Mapping[str, CompiledMapping]
    scenario: Scenario
    run_tag: str
    records: dict[str, RecordRef] = field(default_factory=dict)
    traces: list[SyncTrace] = field(default_factory=list)
    unobserved: list[str] = field(default_factory=list)

    def mapping(self, ref: RecordRef) -> CompiledMapping:
        return self.mappings[ref.entity]

    def record(self, name: str) -> RecordRef:
        return self.records[name]

    def resolve(self, value: Any) -> Any:
        return resolve(value, today=datetime.now(UTC).date(), ids=self._id_of)

    def _id_of(self, kind: str, name: str) -> str | None:
        ref = self.records.get(name)
        if ref is None:
            return None
        if kind == "sf_id":
            return self.sf_id(ref)
        return self.ace_id(ref)

    def sf_id(self, ref: RecordRef) -> str | None:
        if ref.sf_id is None and ref.ace_id:
            mapping = self.mapping(ref)
            soql = (f"SELECT Id FROM {mapping.salesforce_object} WHERE {mapping.ace_id_field} = "
                    f"'{ref.ace_id}'")  # ace ids are O/L + digits, checked when AWS assigned them
            rows = self.backend.admin.query(soql)["records"]
            ref.sf_id = rows[0]["Id"] if rows else None
        return ref.sf_id

    def ace_id(self, ref: RecordRef) -> str | None:
        if ref.ace_id is None and ref.sf_id:
            row = self.salesforce_row(ref)
            ref.ace_id = row.get(self.mapping(ref).ace_id_field) or None
        return ref.ace_id

    def salesforce_row(self, ref: RecordRef, *, extra: Sequence[str] = ()) -> dict[str, Any]:
        sf_id = self.sf_id(ref)
        if sf_id is None:
            raise StepAborted(f"{ref.label} never arrived in Salesforce (no record with ACE id {ref.ace_id})")
        mapping = self.mapping(ref)
        return self.backend.read_record(mapping.salesforce_object, sf_id, fields_to_read(mapping, extra))

    def sync_status(self, ref: RecordRef, row: Mapping[str, Any]) -> tuple[Any, Any]:
        fields = self.mapping(ref).sync_fields
        return row.get(fields.get("status", "")), row.get(fields.get("error", ""))

    def ace_record(self, ref: RecordRef) -> dict[str, Any] | None:
        ace_id = ref.ace_id or (self.ace_id(ref) if ref.sf_id else None)
        return self.backend.ace_record(ref.entity, ace_id=ace_id, partner_key=ref.sf_id)

    def inbound_files(self) -> list[InboundFile]:
        return [f for trace in self.traces for f in trace.inbound_files]

    def unobservable(self, what: str, why: str) -> CheckResult:
        self.unobserved.append(f"{what}: {why}")
        return CheckResult(f"{what} (not observable: {why})", True)


class UatRunner:
    def __init__(self, backend: Backend, *, mappings: Mapping[str, CompiledMapping],
                 on_step: Callable[[StepResult], None] | None = None) -> None:
        self.backend = backend
        self.mappings = mappings
        self.on_step = on_step
        self.run_tag = uuid.uuid4().hex[:6]
        self.created: list[tuple[str, str]] = []  # (sobject, Id) the suite created, for live clean-up

    def run(self, scenarios: Sequence[Scenario], steps: Sequence[Step]) -> RunResult:
        started = datetime.now(UTC)
        clock = time.monotonic()
        by_key = {s.key: s for s in scenarios}
        results = []
        for step in steps:
            result = self.run_step(by_key[step.sheet], step)
            results.append(result)
            if self.on_step is not None:
                self.on_step(result)
        return RunResult(mode=self.backend.mode, scenarios=list(scenarios), steps=results, started_at=started,
                         duration_seconds=time.monotonic() - clock)

    def run_step(self, scenario: Scenario, step: Step) -> StepResult:
        if step.not_provable:
            return StepResult(step, Status.NOT_PROVABLE, reason=step.not_provable)
        ctx = StepContext(backend=self.backend, mappings=self.mappings, scenario=scenario, run_tag=self.run_tag)
        clock = time.monotonic()
        result = StepResult(step, Status.PASSED)
        try:
            for op in step.operations:
                self._perform(ctx, op)
            for check in step.checks:
                result.checks.extend(CHECK_FUNCTIONS[check.kind](ctx, check.args))
        except AwsActionUnavailable as exc:
            result.status, result.reason = Status.NOT_RUN, f"needs AWS to act on its side ({exc}); ask AWS " \
                                                           "through a support case to push the test records"
        except (StepAborted, TranslationError, UnresolvedValue) as exc:
            result.status, result.reason = Status.ERROR, str(exc)
        except Exception as exc:  # one broken step must not stop the run: it is reported, with its cause
            result.status, result.reason = Status.ERROR, f"{type(exc).__name__}: {exc}"
        finally:
            self.backend.end_step()
        if result.status is Status.PASSED and result.failed_checks:
            result.status = Status.FAILED
            errors = [e for trace in ctx.traces for e in trace.flow_errors()]
            if errors:
                result.reason = "connector errors during the step: " + "; ".join(errors[:5])
        if ctx.unobserved and result.status is Status.PASSED:
            result.reason = "not observable here: " + "; ".join(ctx.unobserved)
        result.duration_seconds = time.monotonic() - clock
        result.records = [self._describe(ctx, ref) for ref in ctx.records.values()]
        result.files = [f.key for f in ctx.inbound_files()]
        return result

    # --- operations ------------------------------------------------------------------------------------

    def _perform(self, ctx: StepContext, op: Operation) -> None:
        args = op.args
        if op.kind == "sync":
            ctx.traces.append(self.backend.sync(rounds=int(args.get("rounds", 1))))
        elif op.kind == "create":
            self._create(ctx, args)
        elif op.kind == "update":
            self._update(ctx, args)
        elif op.kind == "refer":
            fields = ctx.resolve(self._values(ctx, args))
            ace_id = self.backend.aws("refer", {**args, "ace": fields})
            ctx.records[args["record"]] = RecordRef(args["record"], args["entity"], ace_id=ace_id)
        else:  # review, seller_update, partner_profile: AWS's people
            ref = ctx.records.get(args.get("record", ""))
            ace_id = ctx.ace_id(ref) if ref is not None else None
            self.backend.aws(op.kind, ctx.resolve(dict(args)), ace_id=ace_id)

    def _values(self, ctx: StepContext, args: Mapping[str, Any]) -> dict[str, Any]:
        template = ctx.scenario.templates.get(args["like"], {}) if args.get("like") else {}
        return {**template, **(args.get("ace") or {})}

    def _create(self, ctx: StepContext, args: Mapping[str, Any]) -> None:
        entity = args.get("entity", "opportunity")
        mapping = self.mappings[entity]
        ace_values = ctx.resolve(self._values(ctx, args))
        if ace_values.get(TITLE_FIELD):
            ace_values[TITLE_FIELD] = f"{UAT_NAME_PREFIX}{self.run_tag} {ace_values[TITLE_FIELD]}"
        values = {**to_salesforce_values(mapping, ace_values), SHARE_FIELD: True,
                  **ctx.resolve(dict(args.get("salesforce") or {}))}
        sf_id = self._write(lambda: self.backend.create_record(mapping.salesforce_object, values),
                            f"create {entity} {args['record']!r}")
        self.created.append((mapping.salesforce_object, sf_id))
        ctx.records[args["record"]] = RecordRef(args["record"], entity, sf_id=sf_id)

    def _update(self, ctx: StepContext, args: Mapping[str, Any]) -> None:
        ref = ctx.record(args["record"])
        mapping = ctx.mapping(ref)
        values = {**to_salesforce_values(mapping, ctx.resolve(self._values(ctx, args))), SHARE_FIELD: True,
                  **ctx.resolve(dict(args.get("salesforce") or {}))}
        sf_id = ctx.sf_id(ref)
        if sf_id is None:
            raise StepAborted(f"{ref.label} is not in Salesforce, so the admin cannot edit it")
        self._write(lambda: self.backend.update_record(mapping.salesforce_object, sf_id, values),
                    f"update {ref.label}")

    @staticmethod
    def _write(action: Callable[[], Any], what: str) -> Any:
        try:
            return action()
        except Exception as exc:  # simple-salesforce raises its own types: say which edit Salesforce refused
            if isinstance(exc, ConnectorError):
                raise
            raise StepAborted(f"Salesforce refused to {what}: {exc}") from exc

    @staticmethod
    def _describe(ctx: StepContext, ref: RecordRef) -> str:
        mapping = ctx.mapping(ref)
        ace = f" ({ref.ace_id})" if ref.ace_id else ""
        return f"{mapping.salesforce_object} {ref.sf_id or '-'}{ace} [{ref.name}]"

    def clean_up(self) -> list[str]:
        """Delete the Salesforce records the suite created (live runs); returns what could not be deleted."""
        left = []
        for sobject, sf_id in reversed(self.created):
            try:
                self.backend.delete_record(sobject, sf_id)
            except Exception as exc:  # keep going: report every record left behind
                left.append(f"{sobject} {sf_id}: {exc}")
        return left
