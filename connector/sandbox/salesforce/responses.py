"""Handlers of the REST endpoints under ``/services/data/v{v}/``.

Each handler takes the request context and the path arguments the router
captured, calls the backend and returns (status, body); ``app.py`` turns
that into an HTTP response and ApiError into the error body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from werkzeug.wrappers import Request

from connector.sandbox.salesforce import collections_api, describe
from connector.sandbox.salesforce.api_errors import ApiError, MultipleMatches, not_found
from connector.sandbox.salesforce.backend import OrgBackend
from connector.sandbox.salesforce.bulk2 import job_error
from connector.sandbox.salesforce.cursors import page_size_from
from connector.sandbox.salesforce.org import UPSERT_UPDATE_BODY_SINCE_VERSION
from connector.sandbox.salesforce.records import record_url
from connector.sandbox.salesforce.schema import FieldDef, ObjectDef


@dataclass
class Reply:
    status: int
    body: object = None
    content_type: str = "application/json;charset=UTF-8"


@dataclass
class Call:
    request: Request
    api_version: str
    user_id: str
    kind: str


def json_body(request: Request) -> object:
    raw = request.get_data()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError("JSON_PARSER_ERROR", f"The request body is not valid JSON: {exc}") from None


def select_fields(obj: ObjectDef, names: object) -> list[FieldDef] | None:
    """Field definitions for a ``fields`` list or comma-separated string (None = all)."""
    if names in (None, "", []):
        return None
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    selected = []
    for name in names:  # type: ignore[union-attr]
        definition = obj.field(str(name))
        if definition is None:
            raise ApiError("INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'. If you "
                           "are attempting to use a custom field, be sure to append the '__c' after "
                           "the custom field name.", include_fields=False)
        selected.append(definition)
    return selected


class DataHandlers:
    def __init__(self, backend: OrgBackend) -> None:
        self.backend = backend
        self.records = backend.records

    def _fault(self, call: Call):
        return lambda: self.backend.faults.record_fault(kind=call.kind)

    # --- describe ------------------------------------------------------------------

    def describe_global(self, call: Call) -> Reply:
        return Reply(200, describe.global_describe(self.backend.schema, api_version=call.api_version))

    def object_metadata(self, call: Call, name: str) -> Reply:
        obj = self.records.object_named(name)
        return Reply(200, {"objectDescribe": describe.object_summary(obj, api_version=call.api_version),
                           "recentItems": []})

    def describe_object(self, call: Call, name: str) -> Reply:
        obj = self.records.object_named(name)
        return Reply(200, describe.describe(obj, self.backend.schema, api_version=call.api_version))

    def limits(self, call: Call) -> Reply:
        used, maximum = self.backend.stats.usage(), self.backend.stats.daily_api_max
        return Reply(200, {
            "DailyApiRequests": {"Max": maximum, "Remaining": max(0, maximum - used)},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DataStorageMB": {"Max": 5, "Remaining": 5}})

    # --- single records --------------------------------------------------------------

    def create_record(self, call: Call, name: str) -> Reply:
        obj = self.records.object_named(name)
        body = json_body(call.request)
        with self.backend.db.transaction() as conn:
            record_id = self.records.create(conn, obj, body, user_id=call.user_id)
        return Reply(201, {"id": record_id, "success": True, "errors": []})

    def get_record(self, call: Call, name: str, raw_id: str) -> Reply:
        obj = self.records.object_named(name)
        fields = select_fields(obj, call.request.args.get("fields"))
        row = self.records.live_row(self.backend.db.connection(), obj, raw_id)
        return Reply(200, self.records.record_json(obj, row, api_version=call.api_version, fields=fields))

    def update_record(self, call: Call, name: str, raw_id: str) -> Reply:
        obj = self.records.object_named(name)
        body = json_body(call.request)
        with self.backend.db.transaction() as conn:
            self.records.update(conn, obj, raw_id, body, user_id=call.user_id)
        return Reply(204)

    def delete_record(self, call: Call, name: str, raw_id: str) -> Reply:
        obj = self.records.object_named(name)
        with self.backend.db.transaction() as conn:
            self.records.delete(conn, obj, raw_id, user_id=call.user_id)
        return Reply(204)

    def _single_match(self, call: Call, name: str, field_name: str, value: str) -> tuple[ObjectDef, str]:
        obj = self.records.object_named(name)
        definition = self.records.external_id_field(obj, field_name)
        found = self.records.matches(self.backend.db.connection(), obj, definition, value)
        if len(found) > 1:
            raise MultipleMatches([record_url(obj, i, api_version=call.api_version) for i in found],
                                  field_name=definition.name, value=value)
        if not found:
            raise not_found()
        return obj, found[0]

    def get_by_external_id(self, call: Call, name: str, field_name: str, value: str) -> Reply:
        obj, record_id = self._single_match(call, name, field_name, value)
        fields = select_fields(obj, call.request.args.get("fields"))
        row = self.records.live_row(self.backend.db.connection(), obj, record_id)
        return Reply(200, self.records.record_json(obj, row, api_version=call.api_version, fields=fields))

    def delete_by_external_id(self, call: Call, name: str, field_name: str, value: str) -> Reply:
        obj, record_id = self._single_match(call, name, field_name, value)
        with self.backend.db.transaction() as conn:
            self.records.delete(conn, obj, record_id, user_id=call.user_id)
        return Reply(204)

    def upsert_record(self, call: Call, name: str, field_name: str, value: str) -> Reply:
        obj = self.records.object_named(name)
        definition = self.records.external_id_field(obj, field_name)
        body = json_body(call.request)
        if call.request.args.get("updateOnly", "").lower() == "true" and not self.records.matches(
                self.backend.db.connection(), obj, definition, value):
            raise not_found()
        with self.backend.db.transaction() as conn:
            record_id, created = self.records.upsert(conn, obj, definition, value, body,
                                                     user_id=call.user_id, api_version=call.api_version)
        if float(call.api_version) < UPSERT_UPDATE_BODY_SINCE_VERSION:
            return Reply(201, {"id": record_id, "success": True, "errors": []}) if created else Reply(204)
        return Reply(201 if created else 200,
                     {"id": record_id, "success": True, "errors": [], "created": created})

    # --- query -------------------------------------------------------------------------

    def _query(self, call: Call, *, include_deleted: bool) -> Reply:
        page_size = page_size_from(call.request.headers.get("Sforce-Query-Options"))
        return Reply(200, self.backend.cursors.run(call.request.args.get("q"), api_version=call.api_version,
                                                   include_deleted=include_deleted, page_size=page_size))

    def query(self, call: Call) -> Reply:
        return self._query(call, include_deleted=False)

    def query_all(self, call: Call) -> Reply:
        return self._query(call, include_deleted=True)

    def query_more(self, call: Call, token: str) -> Reply:
        return Reply(200, self.backend.cursors.more(token, api_version=call.api_version))

    # --- sObject Collections -------------------------------------------------------------

    def collection_create(self, call: Call) -> Reply:
        records, all_or_none = collections_api.parse_records(json_body(call.request))
        return Reply(200, collections_api.create(self.records, records, all_or_none=all_or_none,
                                                 user_id=call.user_id, fault=self._fault(call)))

    def collection_update(self, call: Call) -> Reply:
        records, all_or_none = collections_api.parse_records(json_body(call.request))
        return Reply(200, collections_api.update(self.records, records, all_or_none=all_or_none,
                                                 user_id=call.user_id, fault=self._fault(call)))

    def collection_upsert(self, call: Call, name: str, field_name: str) -> Reply:
        self.records.object_named(name)
        records, all_or_none = collections_api.parse_records(json_body(call.request))
        return Reply(200, collections_api.upsert(
            self.records, name, field_name, records, all_or_none=all_or_none, user_id=call.user_id,
            api_version=call.api_version, fault=self._fault(call)))

    def collection_delete(self, call: Call) -> Reply:
        ids = [i for i in call.request.args.get("ids", "").split(",") if i]
        if not ids:
            raise ApiError("MISSING_ARGUMENT", "ids: the comma-separated ids to delete are required")
        all_or_none = call.request.args.get("allOrNone", "false").lower() == "true"
        return Reply(200, collections_api.delete(self.records, ids, all_or_none=all_or_none,
                                                 user_id=call.user_id, fault=self._fault(call)))

    def collection_retrieve(self, call: Call, name: str) -> Reply:
        obj = self.records.object_named(name)
        if call.request.method == "POST":
            body = json_body(call.request)
            ids, names = (body.get("ids"), body.get("fields")) if isinstance(body, dict) else (None, None)
        else:
            ids = [i for i in call.request.args.get("ids", "").split(",") if i]
            names = call.request.args.get("fields")
        if not isinstance(ids, list) or not ids or not names:
            raise ApiError("MISSING_ARGUMENT", "both ids and fields are required")
        fields = select_fields(obj, names)
        conn = self.backend.db.connection()
        found = []
        for raw_id in ids:
            try:
                row = self.records.live_row(conn, obj, str(raw_id))
            except ApiError:
                found.append(None)
            else:
                found.append(self.records.record_json(obj, row, api_version=call.api_version, fields=fields))
        return Reply(200, found)

    # --- Bulk API 2.0 ----------------------------------------------------------------------

    def job_create(self, call: Call) -> Reply:
        job = self.backend.jobs.create(json_body(call.request), user_id=call.user_id,
                                       api_version=call.api_version)
        return Reply(200, job.info())

    def job_list(self, call: Call) -> Reply:
        return Reply(200, {"done": True, "records": [job.info() for job in self.backend.jobs.listing()],
                           "nextRecordsUrl": None})

    def job_get(self, call: Call, job_id: str) -> Reply:
        return Reply(200, self.backend.jobs.get(job_id).info())

    def job_state(self, call: Call, job_id: str) -> Reply:
        body = json_body(call.request)
        closing = isinstance(body, dict) and body.get("state") == "UploadComplete"
        fail = closing and self.backend.faults.take_bulk_failure()
        return Reply(200, self.backend.jobs.change_state(job_id, body, user_id=call.user_id,
                                                         fail=fail).info())

    def job_delete(self, call: Call, job_id: str) -> Reply:
        self.backend.jobs.delete(job_id)
        return Reply(204)

    def job_upload(self, call: Call, job_id: str) -> Reply:
        content_type = call.request.headers.get("Content-Type", "")
        if not content_type.lower().startswith("text/csv"):
            raise job_error("INVALIDJOB", f"Unsupported content type {content_type!r}; send text/csv",
                            status=415)
        self.backend.jobs.upload(job_id, call.request.get_data())
        return Reply(201)

    def job_results(self, call: Call, job_id: str, segment: str) -> Reply:
        return Reply(200, self.backend.jobs.results_csv(job_id, segment), content_type="text/csv")
