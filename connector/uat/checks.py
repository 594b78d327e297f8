"""The checks a scenario step can make, each giving ``CheckResult``s that say what was expected and found.

Expected values: a plain value (equal; numbers compared as numbers, lists of
text in any order), ``null`` (empty: absent, null, "" or []), ``"*"`` (filled),
or one of ``{contains: text}``, ``{not: value}``, ``{one_of: [values]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from connector.uat.backend import NotObservable
from connector.uat.outcome import CheckResult
from connector.uat.translate import ace_values_of, describe_rule

if TYPE_CHECKING:
    from connector.uat.runner import StepContext

STATUS_SYNCED = "Synced"
STATUS_ERROR = "Error"
_MISSING = object()


def _empty(value: Any) -> bool:
    return value is None or value is _MISSING or value == "" or value == []


def _show(value: Any) -> str:
    return "<empty>" if _empty(value) else repr(value)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return sorted(map(str, expected)) == sorted(map(str, actual))
    if isinstance(expected, list) and isinstance(actual, str):  # a ;-joined multi-select
        return sorted(map(str, expected)) == sorted(actual.split(";"))
    return expected == actual


def matches(expected: Any, actual: Any) -> bool:
    if expected is None:
        return _empty(actual)
    if expected == "*":
        return not _empty(actual)
    if isinstance(expected, Mapping):
        if "contains" in expected:
            return isinstance(actual, str) and str(expected["contains"]) in actual
        if "not" in expected:
            return not matches(expected["not"], actual)
        if "one_of" in expected:
            return any(matches(option, actual) for option in expected["one_of"])
        raise ValueError(f"unknown expectation {dict(expected)!r}; use contains, not or one_of")
    return _same(expected, actual)


def _expectation(expected: Any) -> str:
    if expected is None:
        return "empty"
    if expected == "*":
        return "filled"
    if isinstance(expected, Mapping):
        (how, value), = expected.items()
        return f"{how.replace('_', ' ')} {value!r}"
    return repr(expected)


def compare_fields(label: str, expected: Mapping[str, Any], actual: Mapping[str, Any],
                   explain: Callable[[str], str] | None = None) -> list[CheckResult]:
    results = []
    for name, wanted in expected.items():
        found = actual.get(name, _MISSING)
        ok = matches(wanted, found)
        detail = "" if ok else f"found {_show(found)}" + (f" ({explain(name)})" if explain else "")
        results.append(CheckResult(f"{label} {name} is {_expectation(wanted)}", ok, detail))
    return results


# --- the checks ---------------------------------------------------------------------------------------


def check_synced(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    ref = step.record(args["record"])
    row = step.salesforce_row(ref)
    status, error = step.sync_status(ref, row)
    ace_id = row.get(step.mapping(ref).ace_id_field)
    detail = "" if status == STATUS_SYNCED and ace_id else (
        f"status {_show(status)}, ACE id {_show(ace_id)}" + (f", error: {error}" if error else ""))
    return [CheckResult(f"{ref.label} is {STATUS_SYNCED} in Salesforce with its ACE id", not detail, detail)]


def check_refused(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    ref = step.record(args["record"])
    row = step.salesforce_row(ref)
    status, error = step.sync_status(ref, row)
    wanted_status = args.get("status", STATUS_ERROR)
    wanted = [wanted_status] if isinstance(wanted_status, str) else list(wanted_status)
    results = [CheckResult(f"{ref.label} shows sync status {' or '.join(wanted)}", status in wanted,
                           "" if status in wanted else f"status is {_show(status)}; error {_show(error)}")]
    fragments = args.get("message") or []
    for fragment in [fragments] if isinstance(fragments, str) else fragments:
        ok = isinstance(error, str) and fragment.casefold() in error.casefold()
        results.append(CheckResult(f"{ref.label}'s sync error mentions {fragment!r}", ok,
                                   "" if ok else f"the error is {_show(error)}"))
    return results


def check_salesforce(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    ref = step.record(args["record"])
    mapping = step.mapping(ref)
    ace_expected = step.resolve(dict(args.get("ace") or {}))
    raw_expected = step.resolve(dict(args.get("salesforce") or {}))
    row = step.salesforce_row(ref, extra=raw_expected)
    results = compare_fields(f"Salesforce {ref.label}", ace_expected, ace_values_of(mapping, row, ace_expected),
                             explain=lambda name: describe_rule(mapping, name))
    results += compare_fields(f"Salesforce {ref.label} field", raw_expected, row)
    return results


def check_ace(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    ref = step.record(args["record"])
    expected = step.resolve(dict(args.get("fields") or {}))
    try:
        stored = step.ace_record(ref)
    except NotObservable as exc:
        return [step.unobservable(f"ACE's copy of {ref.label}", str(exc))]
    if stored is None:
        return [CheckResult(f"ACE holds {ref.label}", False, "ACE has no record for it")]
    return compare_fields(f"ACE {ref.label}", expected, stored)


def check_not_in_ace(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    ref = step.record(args["record"])
    try:
        stored = step.ace_record(ref)
    except NotObservable as exc:
        return [step.unobservable(f"ACE has no record for {ref.label}", str(exc))]
    found = "" if stored is None else f"ACE holds {stored.get('apnCrmUniqueIdentifier')}"
    return [CheckResult(f"ACE has no record for {ref.label}", stored is None, found)]


def check_inbound_files(step: StepContext, args: Mapping[str, Any]) -> list[CheckResult]:
    files = step.inbound_files()
    results = []
    minimum = int(args.get("min_files", 0))
    if minimum:
        results.append(CheckResult(f"the connector sent at least {minimum} inbound file(s)", len(files) >= minimum,
                                   f"it sent {len(files)}"))
    version = args.get("version")
    if version is not None:
        wrong = [f"{f.key}: {f.document.get('version') if isinstance(f.document, dict) else 'not JSON'}"
                 for f in files if not (isinstance(f.document, dict) and f.document.get("version") == version)]
        results.append(CheckResult(f"every inbound file carries payload version {version!r}", not wrong,
                                   "; ".join(wrong)))
    for name in args.get("without_fields") or []:
        carrying = [f.key for f in files if isinstance(f.document, dict)
                    and any(name in r for r in _records_of(f.document))]
        results.append(CheckResult(f"no inbound record carries {name}", not carrying, ", ".join(carrying)))
    return results


def _records_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for key in ("opportunities", "leads"):
        if isinstance(document.get(key), list):
            return [r for r in document[key] if isinstance(r, Mapping)]
    return []


CHECK_FUNCTIONS: dict[str, Callable[[StepContext, Mapping[str, Any]], list[CheckResult]]] = {
    "synced": check_synced,
    "refused": check_refused,
    "salesforce": check_salesforce,
    "ace": check_ace,
    "not_in_ace": check_not_in_ace,
    "inbound_files": check_inbound_files,
}
