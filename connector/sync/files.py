"""File-level steps shared by the flows that read ACE's files (outbound and results)."""

from __future__ import annotations

from collections.abc import Mapping

from connector.ace.bucket import PROCESSED_TAG_KEY, PROCESSED_TAG_VALUE, QUARANTINE_TAG_KEY
from connector.logs import get_logger
from connector.sync import report as counters
from connector.sync.context import SyncContext
from connector.sync.report import FlowReport
from connector.worker import metrics

log = get_logger(__name__)


def is_settled(tags: Mapping[str, str]) -> bool:
    """True for a file already processed or quarantined: later runs leave it alone."""
    return tags.get(PROCESSED_TAG_KEY) == PROCESSED_TAG_VALUE or tags.get(QUARANTINE_TAG_KEY) == "true"


def quarantine_file(ctx: SyncContext, key: str, *, flow: str, folder: str, reason: str,
                    report: FlowReport) -> None:
    """Tag a file that cannot be used with the reason (never delete it), record and alert."""
    report.count(counters.FILES_QUARANTINED)
    message = f"{key}: quarantined: {reason}"
    report.add_error(message)
    log.error(f"{flow}.file_quarantined", file=key, reason=reason)
    if ctx.dry_run:
        report.plan("quarantine", key, values={"reason": reason})
        return
    ctx.bucket.quarantine(key, reason=reason)
    ctx.state.record_error(flow=flow, message=message, file_key=key)
    metrics.record_quarantined(folder)


def settle_file(ctx: SyncContext, key: str, *, report: FlowReport) -> str:
    """Delete or tag a file whose content is safely applied (``ACE_AFTER_PROCESSING``); the action taken.

    ACE keeps its own copy of every file it writes in the matching archive folder.
    """
    action = "delete" if ctx.settings.ace_after_processing == "delete" else "tag"
    report.count(counters.FILES_DONE)
    if ctx.dry_run:
        report.plan(action, key, values={PROCESSED_TAG_KEY: PROCESSED_TAG_VALUE} if action == "tag" else None)
    elif action == "delete":
        ctx.bucket.delete(key)
    else:
        ctx.bucket.mark_processed(key)
    return action
