"""Routing on the raw request path.

The path is split on ``/`` *before* percent-decoding, so an external id
holding ``%2F`` stays one segment; one trailing slash is dropped. ``+`` in a
path stays a literal plus.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

ANY = "*"

#: (segments after /services/data/vXX.X/, {method: (endpoint kind, handler name)}), first match wins
DATA_ROUTES: list[tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = [
    (("sobjects",), {"GET": ("describe.global", "describe_global")}),
    (("sobjects", ANY), {"GET": ("describe.metadata", "object_metadata"),
                         "POST": ("sobject.create", "create_record")}),
    (("sobjects", ANY, "describe"), {"GET": ("describe.object", "describe_object")}),
    (("sobjects", ANY, ANY), {"GET": ("sobject.get", "get_record"),
                              "PATCH": ("sobject.update", "update_record"),
                              "DELETE": ("sobject.delete", "delete_record")}),
    (("sobjects", ANY, ANY, ANY), {"GET": ("sobject.get_by_external_id", "get_by_external_id"),
                                   "PATCH": ("sobject.upsert", "upsert_record"),
                                   "DELETE": ("sobject.delete_by_external_id",
                                              "delete_by_external_id")}),
    (("query",), {"GET": ("query", "query")}),
    (("query", ANY), {"GET": ("query.more", "query_more")}),
    (("queryall",), {"GET": ("query.all", "query_all")}),
    (("queryall", ANY), {"GET": ("query.more", "query_more")}),
    (("limits",), {"GET": ("limits", "limits")}),
    (("composite", "sobjects"), {"POST": ("composite.create", "collection_create"),
                                 "PATCH": ("composite.update", "collection_update"),
                                 "DELETE": ("composite.delete", "collection_delete")}),
    (("composite", "sobjects", ANY), {"GET": ("composite.retrieve", "collection_retrieve"),
                                      "POST": ("composite.retrieve", "collection_retrieve")}),
    (("composite", "sobjects", ANY, ANY), {"PATCH": ("composite.upsert", "collection_upsert")}),
    (("jobs", "ingest"), {"POST": ("bulk2.create", "job_create"),
                          "GET": ("bulk2.list", "job_list")}),
    (("jobs", "ingest", ANY), {"GET": ("bulk2.get", "job_get"),
                               "PATCH": ("bulk2.state", "job_state"),
                               "DELETE": ("bulk2.delete", "job_delete")}),
    (("jobs", "ingest", ANY, "batches"), {"PUT": ("bulk2.upload", "job_upload")}),
    (("jobs", "ingest", ANY, ANY), {"GET": ("bulk2.results", "job_results")}),
]


@dataclass(frozen=True)
class Match:
    kind: str
    handler: str
    args: tuple[str, ...]


class MethodNotAllowed(Exception):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


def split_raw_path(raw_path: str) -> list[str]:
    """``/a/b%2Fc/`` -> ``["a", "b/c"]``: split first, then decode each segment."""
    path = raw_path.split("?", 1)[0]
    if path.endswith("/") and len(path) > 1:
        path = path[:-1]
    return [unquote(segment) for segment in path.split("/")[1:]]


def match_data_route(method: str, segments: list[str]) -> Match | None:
    """The route for the segments after the version; None if no path matches."""
    for pattern, methods in DATA_ROUTES:
        if len(pattern) != len(segments):
            continue
        if all(part == ANY or part == segment.lower() for part, segment in zip(pattern, segments)):
            if method not in methods:
                raise MethodNotAllowed(sorted(methods))
            kind, handler = methods[method]
            args = tuple(segment for part, segment in zip(pattern, segments) if part == ANY)
            return Match(kind=kind, handler=handler, args=args)
    return None
