"""ACE file envelopes: ``{"version": "2.0", "spmsId": "...", "opportunities" | "leads": [...]}``.

Two ways in:

* ``read_envelope(data, entity=...)`` checks only what makes a *whole file*
  unusable (ACE-CONTRACT §5.5) and hands back the records as plain dicts, so a bad
  record can still be answered on its own. The simulator and the rule engine
  use this.
* ``parse_opportunity_file`` / ``parse_lead_file`` / ``parse_envelope`` go on to
  type every record (``OpportunityRecord`` / ``LeadRecord``); a record of the
  wrong shape then makes the file malformed, with the record and field named.

Both raise ``connector.errors.MalformedFileError`` with a specific reason.
``dump_file`` writes UTF-8 without BOM and only the fields that were set, so
"absent" (leave alone) and ``null`` (clear) survive a round trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from connector.ace.catalog import catalog_for
from connector.ace.jsonio import describe_type, dump_json, load_json_object, quote_input, validation_reason
from connector.ace.records import AceRecord, LeadRecord, OpportunityRecord
from connector.ace.results import Outcome, RecordResult, ResultsFile
from connector.errors import MalformedFileError
from connector.settings import ACE_INBOUND_MAX_BYTES, ACE_INBOUND_MAX_RECORDS

__all__ = [
    "CURRENT_VERSION",
    "LeadFile",
    "LeadRecord",
    "MAX_INBOUND_FILE_BYTES",
    "MAX_INBOUND_RECORDS",
    "OpportunityFile",
    "OpportunityRecord",
    "Outcome",
    "RawEnvelope",
    "RecordResult",
    "ResultsFile",
    "SUPPORTED_MAJOR_VERSIONS",
    "build_file",
    "dump_file",
    "major_version",
    "parse_envelope",
    "parse_lead_file",
    "parse_opportunity_file",
    "read_envelope",
]

#: The payload version the connector writes (field definitions v14 and later).
CURRENT_VERSION = "2.0"
SUPPORTED_MAJOR_VERSIONS = frozenset({1, 2})
#: ACE's limits on one inbound file (ACE-CONTRACT §5.2), defined once beside the settings they bound.
MAX_INBOUND_FILE_BYTES = ACE_INBOUND_MAX_BYTES
MAX_INBOUND_RECORDS = ACE_INBOUND_MAX_RECORDS

# "2", "2.0", "1.9": ACE reduces X.Y to its major number X
_VERSION_RE = re.compile(r"([0-9]+)(?:\.[0-9]+)?")
_LEAD_KEY_CAPITALISED = "Leads"  # the spelling of AWS's lead inbound sample


def major_version(version: str) -> int:
    """``"2.0"`` -> 2; ValueError (with the allowed spellings) for anything else."""
    match = _VERSION_RE.fullmatch(version.strip()) if isinstance(version, str) else None
    if match is None:
        raise ValueError(f"unknown version {quote_input(version)}: expected \"1\", \"1.0\", \"2\" or \"2.0\"")
    major = int(match.group(1))
    if major not in SUPPORTED_MAJOR_VERSIONS:
        raise ValueError(f"unsupported version {quote_input(version)}: ACE knows payload versions 1 and 2")
    return major


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    entity: ClassVar[str]
    version: str | None = None
    spmsId: str | None = None

    @property
    def major_version(self) -> int | None:
        """The payload version's major number; None when the file has no version."""
        return major_version(self.version) if self.version is not None else None

    @property
    def records(self) -> list[AceRecord]:
        return getattr(self, catalog_for(self.entity).record_key)


class OpportunityFile(_Envelope):
    entity: ClassVar[str] = "opportunity"
    opportunities: list[OpportunityRecord] = Field(default_factory=list)


class LeadFile(_Envelope):
    entity: ClassVar[str] = "lead"
    # AWS's own lead inbound sample spells the key "Leads"; read both, always write "leads"
    leads: list[LeadRecord] = Field(default_factory=list, validation_alias=AliasChoices("leads", "Leads"))


_FILE_MODELS: dict[str, type[_Envelope]] = {"opportunity": OpportunityFile, "lead": LeadFile}


@dataclass(frozen=True)
class RawEnvelope:
    """A file whose envelope is sound; records are untouched JSON objects."""

    entity: str
    version: str | None  # as sent (a JSON number is turned into its text)
    major_version: int | None  # None when the file has no version
    spms_id: str | None
    record_key: str  # the key as found: "opportunities", "leads" or "Leads"
    records: tuple[dict[str, Any], ...]
    extras: Mapping[str, Any] = field(default_factory=dict)  # other top-level keys, kept


def _version_text(value: Any, *, key: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedFileError(
            f"version must be a string such as \"2.0\", got {describe_type(value)} {quote_input(value)}", key=key)
    text = value if isinstance(value, str) else repr(value)
    try:
        major_version(text)
    except ValueError as exc:
        raise MalformedFileError(str(exc), key=key) from None
    return text


def _spms_id_text(value: Any, *, key: str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedFileError(f"spmsId must be a string, got {describe_type(value)} {quote_input(value)}", key=key)


def _record_key(document: Mapping[str, Any], *, entity: str, accept_capital_leads: bool,
                key: str | None) -> str:
    expected = catalog_for(entity).record_key
    present = [k for k in (expected, _LEAD_KEY_CAPITALISED) if k in document] if entity == "lead" else (
        [expected] if expected in document else [])
    if len(present) == 2:
        raise MalformedFileError("both 'leads' and 'Leads' are present: send the records once, under 'leads'",
                                 key=key)
    if present == [_LEAD_KEY_CAPITALISED] and not accept_capital_leads:
        raise MalformedFileError("'Leads' is not accepted: the record array key is 'leads' (lower case)", key=key)
    if present:
        return present[0]
    other = "lead" if entity == "opportunity" else "opportunity"
    found_other = [k for k in (catalog_for(other).record_key, _LEAD_KEY_CAPITALISED) if k in document]
    if found_other:
        raise MalformedFileError(f"missing '{expected}' array: the file has '{found_other[0]}', "
                                 f"so it is {'an' if other == 'opportunity' else 'a'} {other} file", key=key)
    keys = ", ".join(sorted(document)) or "none"
    raise MalformedFileError(f"missing '{expected}' array (top-level keys: {keys})", key=key)


def read_envelope(data: bytes, *, entity: str, accept_capital_leads: bool = True,
                  key: str | None = None) -> RawEnvelope:
    """Check a file's envelope and return its records as plain dicts.

    ``key`` (the S3 key) is only used to name the file in errors. A missing
    ``version`` is allowed here (``major_version`` None): whether it is
    acceptable depends on the partner's version history, which the caller knows.
    """
    catalog_for(entity)  # unknown entity -> ValueError, a programming error
    document = load_json_object(data, key=key)
    record_key = _record_key(document, entity=entity, accept_capital_leads=accept_capital_leads, key=key)
    records = document[record_key]
    if not isinstance(records, list):
        raise MalformedFileError(f"'{record_key}' must be an array, got {describe_type(records)}", key=key)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise MalformedFileError(f"{record_key}[{index}]: {quote_input(record)} is not of type 'object'",
                                     key=key)
    version = _version_text(document.get("version"), key=key)
    extras = {k: v for k, v in document.items() if k not in ("version", "spmsId", record_key)}
    return RawEnvelope(entity=entity, version=version,
                       major_version=major_version(version) if version is not None else None,
                       spms_id=_spms_id_text(document.get("spmsId"), key=key), record_key=record_key,
                       records=tuple(records), extras=extras)


def parse_envelope(data: bytes, *, entity: str, accept_capital_leads: bool = True,
                   key: str | None = None) -> OpportunityFile | LeadFile:
    """Read a whole file into typed models; any record of the wrong shape makes it malformed."""
    raw = read_envelope(data, entity=entity, accept_capital_leads=accept_capital_leads, key=key)
    document = {**raw.extras, raw.record_key: list(raw.records)}
    if raw.version is not None:
        document["version"] = raw.version
    if raw.spms_id is not None:
        document["spmsId"] = raw.spms_id
    try:
        return _FILE_MODELS[entity].model_validate(document)
    except ValidationError as exc:
        raise MalformedFileError(validation_reason(exc), key=key) from None


def parse_opportunity_file(data: bytes, *, key: str | None = None) -> OpportunityFile:
    return parse_envelope(data, entity="opportunity", key=key)  # type: ignore[return-value]


def parse_lead_file(data: bytes, *, accept_capital_leads: bool = True, key: str | None = None) -> LeadFile:
    return parse_envelope(data, entity="lead", accept_capital_leads=accept_capital_leads,  # type: ignore[return-value]
                          key=key)


def build_file(records: Iterable[AceRecord | Mapping[str, Any]], *, entity: str, spms_id: str | None,
               version: str = CURRENT_VERSION) -> OpportunityFile | LeadFile:
    """An envelope around ``records`` (models, or dicts validated into models)."""
    model = _FILE_MODELS[entity]
    record_model = OpportunityRecord if entity == "opportunity" else LeadRecord
    typed = [r if isinstance(r, record_model) else record_model.model_validate(r) for r in records]
    major_version(version)
    return model(version=version, spmsId=spms_id, **{catalog_for(entity).record_key: typed})


def dump_file(envelope: OpportunityFile | LeadFile, *, indent: int | None = None) -> bytes:
    """The file as UTF-8 JSON bytes; records carry only the fields that were set."""
    return dump_json(envelope.model_dump(mode="json", exclude_unset=True, by_alias=False), indent=indent)
