"""One inbound record: route it (create or update, ACE-CONTRACT §7), validate it with ACE's rule
engine, apply what the engine accepted, and say what happened.

The rules themselves live in ``connector.ace.rules`` (the single source of
ACE's validation); this module only decides which check applies and keeps the
books.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from connector.ace.rules import (
    PartnerProfile,
    RuleContext,
    check_lead_update,
    check_opportunity_create,
    check_opportunity_update,
)
from connector.sandbox.ace.config import SimulatorConfig
from connector.sandbox.ace.envelope import quote
from connector.sandbox.ace.leads import LeadBook
from connector.sandbox.ace.opportunities import OpportunityBook
from connector.sandbox.ace.results import RecordOutcome


def rule_context(config: SimulatorConfig, opportunities: OpportunityBook, *, now: datetime,
                 payload_version: int) -> RuleContext:
    partner = config.partner
    profile = PartnerProfile(
        partner_type=partner.partner_type,
        isv_accelerate=partner.isv_accelerate,
        special_program=partner.special_program,
        user_emails=frozenset(email.lower() for email in partner.user_emails),
        solution_ids=frozenset(partner.solution_ids),
        product_codes=frozenset(partner.product_codes),
        owned_opportunity_ids=frozenset(opportunities.visible_ids()),
        partner_keys=frozenset(opportunities.partner_keys()),
    )
    return RuleContext(partner=profile, today=now.date(), now=now,
                       require_solution_on_create=config.flags.require_solution_on_create,
                       enforce_future_close_date=config.flags.enforce_future_close_date,
                       payload_version=payload_version)


def not_found_error(aws_id: Any) -> str:
    return f"Record not found for apnCrmUniqueIdentifier:{aws_id}"


def _text_or_none(value: Any) -> Any:
    """Identifiers are echoed as sent when they are text, else left out (null)."""
    return value if isinstance(value, str) else None


def _not_an_object(record: Any) -> RecordOutcome:
    return RecordOutcome(errors=[f"{quote(record)} is not of type 'object'"])


def process_opportunity(record: Any, *, book: OpportunityBook, context: RuleContext) -> RecordOutcome:
    if not isinstance(record, Mapping):
        return _not_an_object(record)
    partner_key = record.get("partnerCrmUniqueIdentifier")
    aws_id = record.get("apnCrmUniqueIdentifier")
    outcome = RecordOutcome(partner_key=_text_or_none(partner_key), aws_id=_text_or_none(aws_id))

    record_id: str | None = None
    if aws_id not in (None, ""):
        record_id = aws_id if isinstance(aws_id, str) and book.get(aws_id) is not None else None
        if record_id is None:
            outcome.errors.append(not_found_error(aws_id))
            return outcome
    elif partner_key not in (None, ""):
        record_id = book.find_by("partnerCrmUniqueIdentifier", partner_key)

    if record_id is None:  # no AWS id and an unknown (or no) partner key: a create
        verdict = check_opportunity_create(record, context=context)
        if not verdict.ok:
            outcome.errors.extend(verdict.error_texts())
            return outcome
        # The partner key is an identifier, not a change, but a create stores it.
        outcome.aws_id = book.create_from_partner({**verdict.changes, "partnerCrmUniqueIdentifier": partner_key})
        return outcome

    stored = book.require(record_id)
    outcome.aws_id = record_id
    outcome.partner_key = outcome.partner_key or stored.get("partnerCrmUniqueIdentifier")
    verdict = check_opportunity_update(record, stored=MappingProxyType(dict(stored)), context=context)
    if not verdict.ok:
        outcome.errors.extend(verdict.error_texts())
        return outcome
    changes = dict(verdict.changes)
    if not stored.get("partnerCrmUniqueIdentifier") and partner_key:
        changes["partnerCrmUniqueIdentifier"] = partner_key  # linking an AWS referral (ACE-CONTRACT §7)
    book.apply_partner_update(record_id, changes)
    return outcome


def process_lead(record: Any, *, book: LeadBook, context: RuleContext) -> RecordOutcome:
    if not isinstance(record, Mapping):
        return _not_an_object(record)
    aws_id = record.get("apnCrmUniqueIdentifier")
    outcome = RecordOutcome(partner_key=_text_or_none(record.get("partnerCrmLeadId")),
                            aws_id=_text_or_none(aws_id))
    stored = book.get(aws_id) if isinstance(aws_id, str) else None
    if aws_id not in (None, "") and stored is None:
        outcome.errors.append(not_found_error(aws_id))
        return outcome
    # With no AWS id at all the engine reports the missing identifier (LU1).
    frozen = MappingProxyType(dict(stored)) if stored is not None else None
    verdict = check_lead_update(record, stored=frozen, context=context)
    if not verdict.ok:
        outcome.errors.extend(verdict.error_texts())
        return outcome
    if stored is None:
        outcome.errors.append("Required: apnCrmUniqueIdentifier (partners cannot create leads)")
        return outcome
    changes = dict(verdict.changes)
    if not stored.get("partnerCrmLeadId") and isinstance(record.get("partnerCrmLeadId"), str):
        changes["partnerCrmLeadId"] = record["partnerCrmLeadId"]  # linking the lead to the partner's CRM
    outcome.partner_key = outcome.partner_key or stored.get("partnerCrmLeadId")
    book.apply_partner_update(aws_id, changes)
    return outcome
