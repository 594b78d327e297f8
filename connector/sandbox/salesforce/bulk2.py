"""Bulk API 2.0 ingest jobs: create, upload CSV, close, poll, results.

A job is processed synchronously when the client closes it, row by row (each
row commits on its own, as in an org), so by the first poll it is terminal.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass, field

from connector.sandbox.salesforce.api_errors import ApiError, MultipleMatches, not_found
from connector.sandbox.salesforce.clock import Clock
from connector.sandbox.salesforce.ids import IdAllocator
from connector.sandbox.salesforce.records import RecordStore
from connector.sandbox.salesforce.schema import ObjectDef, OrgSchema
from connector.sandbox.salesforce.values import api_datetime

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
TERMINAL_STATES = ("JobComplete", "Failed", "Aborted")
ABORTABLE_STATES = ("Open", "UploadComplete", "InProgress")
NULL_MARKER = "#N/A"
RESULT_KINDS = {"successfulresults": "successful", "failedresults": "failed",
                "unprocessedrecords": "unprocessed"}
JOB_PREFIX = "750"


def job_error(code: str, message: str, *, status: int = 400) -> ApiError:
    return ApiError(code, message, status=status, include_fields=False)


@dataclass
class IngestJob:
    id: str
    operation: str
    object_name: str
    external_id_field: str | None
    created_by: str
    created_date: str
    api_version: str
    state: str = "Open"
    system_modstamp: str = ""
    data: bytes = b""
    error_message: str | None = None
    header: list[str] = field(default_factory=list)
    successful: list[list[str]] = field(default_factory=list)
    failed: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)

    def info(self) -> dict:
        described = {
            "id": self.id, "operation": self.operation, "object": self.object_name,
            "createdById": self.created_by, "createdDate": self.created_date,
            "systemModstamp": self.system_modstamp or self.created_date, "state": self.state,
            "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": float(self.api_version),
            "jobType": "V2Ingest", "lineEnding": "LF", "columnDelimiter": "COMMA",
            "contentUrl": f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches",
            "numberRecordsProcessed": len(self.successful) + len(self.failed),
            "numberRecordsFailed": len(self.failed), "retries": 0, "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0, "apexProcessingTime": 0,
        }
        if self.external_id_field:
            described["externalIdFieldName"] = self.external_id_field
        if self.error_message:
            described["errorMessage"] = self.error_message
        return described


class IngestJobs:
    def __init__(self, *, store: RecordStore, ids: IdAllocator, clock: Clock) -> None:
        self.store = store
        self.ids = ids
        self.clock = clock
        self._lock = threading.Lock()
        self._jobs: dict[str, IngestJob] = {}

    def _now(self) -> str:
        return api_datetime(self.clock.now())

    def create(self, body: object, *, user_id: str, api_version: str) -> IngestJob:
        if not isinstance(body, dict):
            raise job_error("INVALIDJOB", "The job definition must be a JSON object")
        operation = body.get("operation")
        if operation not in OPERATIONS:
            raise job_error("INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
        obj = self.store.schema.object(str(body.get("object", "")))
        if obj is None:
            raise job_error("INVALIDJOB", f"InvalidJob : Unable to find object: {body.get('object')}")
        external = body.get("externalIdFieldName")
        if operation == "upsert":
            definition = obj.field(str(external or ""))
            if definition is None or not (definition.external_id or definition.name == "Id"):
                raise job_error("INVALIDJOB", "InvalidJob : External ID was blank or not an external "
                                f"id field of {obj.name}: {external}")
            external = definition.name
        for option, allowed in (("columnDelimiter", "COMMA"), ("contentType", "CSV")):
            if body.get(option, allowed) != allowed:
                raise job_error("INVALIDJOB", f"InvalidJob : the emulator supports {option} {allowed} only")
        job = IngestJob(id=self.ids.new(JOB_PREFIX), operation=operation, object_name=obj.name,
                        external_id_field=external if operation == "upsert" else None,
                        created_by=user_id, created_date=self._now(), api_version=api_version)
        with self._lock:
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> IngestJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise job_error("NOT_FOUND", f"Job with id {job_id} was not found", status=404)
        return job

    def listing(self) -> list[IngestJob]:
        with self._lock:
            return list(self._jobs.values())

    def upload(self, job_id: str, data: bytes) -> None:
        job = self.get(job_id)
        if job.state != "Open" or job.data:
            raise job_error("INVALIDJOBSTATE", f"Job {job_id} is in state {job.state}; data can be "
                            "uploaded once, while the job is Open", status=409)
        job.data = data

    def change_state(self, job_id: str, body: object, *, user_id: str, fail: bool) -> IngestJob:
        job = self.get(job_id)
        wanted = body.get("state") if isinstance(body, dict) else None
        if wanted == "UploadComplete" and job.state == "Open":
            job.state = "UploadComplete"
            if fail:
                self._fail(job, "InternalServerError : the job was made to fail by an emulator fault")
            else:
                self._process(job, user_id=user_id)
        elif wanted == "Aborted" and job.state in ABORTABLE_STATES:
            job.state = "Aborted"
        else:
            raise job_error("INVALIDJOBSTATE", f"Job {job_id} is in state {job.state}; it cannot "
                            f"change to {wanted}")
        job.system_modstamp = self._now()
        return job

    def delete(self, job_id: str) -> None:
        job = self.get(job_id)
        if job.state not in ("UploadComplete", *TERMINAL_STATES):
            raise job_error("INVALIDJOBSTATE", f"Job {job_id} is in state {job.state}; it cannot be deleted")
        with self._lock:
            self._jobs.pop(job_id, None)

    def results_csv(self, job_id: str, segment: str) -> str:
        kind = RESULT_KINDS.get(segment.lower())
        job = self.get(job_id)
        if kind is None:
            raise not_found()
        if job.state not in TERMINAL_STATES:
            raise job_error("INVALIDJOBSTATE", f"Job {job_id} is in state {job.state}; results exist "
                            "once it is complete")
        prefix = {"successful": ["sf__Id", "sf__Created"], "failed": ["sf__Id", "sf__Error"],
                  "unprocessed": []}[kind]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow([*prefix, *job.header])
        writer.writerows(getattr(job, kind))
        return out.getvalue()

    def reset(self) -> None:
        with self._lock:
            self._jobs.clear()

    # --- processing ----------------------------------------------------------------

    def _fail(self, job: IngestJob, message: str) -> None:
        job.state, job.error_message = "Failed", message
        rows = _read_csv(job.data)
        if rows:
            job.header, job.unprocessed = rows[0], rows[1:]

    def _process(self, job: IngestJob, *, user_id: str) -> None:
        job.state = "InProgress"
        rows = _read_csv(job.data)
        if not rows:
            job.state = "JobComplete"
            return
        job.header, data_rows = rows[0], rows[1:]
        obj = self.store.object_named(job.object_name)
        problem = _header_problem(job, obj, self.store.schema)
        if problem:
            job.state, job.error_message, job.unprocessed = "Failed", problem, data_rows
            return
        for row in data_rows:
            self._process_row(job, obj, row, user_id=user_id)
        job.state = "JobComplete"

    def _process_row(self, job: IngestJob, obj: ObjectDef, row: list[str], *, user_id: str) -> None:
        body: dict[str, object] = {}
        for name, cell in zip(job.header, row):
            if cell == "":
                continue  # an empty cell leaves the field as it is
            value = None if cell == NULL_MARKER else cell
            if "." in name:
                relationship, _, parent_field = name.partition(".")
                body[relationship] = {parent_field: value}
            else:
                body[name] = value
        record_id = next((v for k, v in body.items() if k.lower() == "id"), "")
        try:
            with self.store.db.transaction() as conn:
                created = False
                if job.operation == "insert":
                    record_id, created = self.store.create(conn, obj, body, user_id=user_id), True
                elif job.operation == "update":
                    body = {k: v for k, v in body.items() if k.lower() != "id"}
                    record_id = self.store.update(conn, obj, str(record_id), body, user_id=user_id)
                elif job.operation == "upsert":
                    definition = obj.field(job.external_id_field or "")
                    key = next((v for k, v in body.items() if k.lower() == definition.name.lower()), "")
                    record_id, created = self.store.upsert(conn, obj, definition, str(key or ""), body,
                                                           user_id=user_id, api_version=job.api_version)
                else:
                    record_id = self.store.delete(conn, obj, str(record_id), user_id=user_id)
        except MultipleMatches as exc:
            job.failed.append(["", f"DUPLICATE_EXTERNAL_ID:{exc.message}: --", *row])
        except ApiError as exc:
            job.failed.append([str(record_id or ""), exc.bulk_cell(), *row])
        else:
            job.successful.append([str(record_id), "true" if created else "false", *row])


def _read_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def _header_problem(job: IngestJob, obj: ObjectDef, schema: OrgSchema) -> str | None:
    names = [name.strip() for name in job.header]
    lowered = [name.lower() for name in names]
    if job.operation in ("delete", "hardDelete") and lowered != ["id"]:
        return "InvalidBatch : The 'delete' batch must contain only an 'Id' column"
    for name in names:
        if "." in name:
            relationship, _, parent_field = name.partition(".")
            reference = obj.relationship(relationship)
            parent = schema.object(reference.reference_to[0]) if reference is not None else None
            if parent is None or parent.field(parent_field) is None:
                return f"InvalidBatch : Field name not found : {name}"
        elif obj.field(name) is None:
            return f"InvalidBatch : Field name not found : {name}"
    if job.operation == "upsert" and (job.external_id_field or "").lower() not in lowered:
        return f"InvalidBatch : Field name not found : {job.external_id_field}"
    if job.operation == "update" and "id" not in lowered:
        return "InvalidBatch : Field name not found : Id"
    return None
