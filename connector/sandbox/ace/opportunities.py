"""Opportunities as ACE keeps them, and their lifecycles (ACE-CONTRACT §8).

Partner referrals start ``Submitted`` at stage ``Prospect`` and move through
AWS's review (``review``). AWS referrals start ``Approved`` with the customer's
personal data masked until the partner accepts them. Validation is not done
here: callers run ACE's rule engine first and apply only what it accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from connector.ace.catalog import MASKED_VALUE, OPPORTUNITY
from connector.sandbox.ace.book import AWS_ACTOR, Book, InvalidChange
from connector.sandbox.ace.referrals import opportunity_referral
from connector.sandbox.ace.results import ace_datetime

PARTNER_REFERRAL = "Partner Referral"
AWS_REFERRAL = "AWS Referral"
ACCEPTED = "Accepted"
REJECTED = "Rejected"

#: Review outcomes AWS can give a partner referral (`review --to`).
REVIEW_STATUSES = ("In review", "Approved", "Rejected", "Action Required")
#: Shown as "Accept To View" on an AWS referral until the partner accepts it (ACE-CONTRACT §8.3).
MASKED_FIELDS = ("country", "customerFirstName", "customerLastName", "customerEmail",
                 "customerPhone", "customerTitle")
#: Null on an AWS referral until accepted (ACE-CONTRACT §8.3).
NULL_UNTIL_ACCEPTED = ("solutionOffered", "otherSolutionOffered")
#: The AWS team, only shown once a partner referral is Approved (ACE-CONTRACT §8.2).
AWS_TEAM_FIELDS = ("aWSSalesRepName", "aWSSalesRepEmail", "aWSAccountOwnerName", "aWSAccountOwnerEmail",
                   "aWSPartnerSuccessManagerName", "aWSPartnerSuccessManagerEmail",
                   "aWSISVSuccessManagerName", "aWSISVSuccessManagerEmail",
                   "partnerDeveloperManager", "partnerDeveloperManagerEmail", "wWPSPDM", "wWPSPDMEmail")
#: Part of the partner's reject record, never echoed outbound (ACE-CONTRACT §12).
NOT_ECHOED = ("rejectionReason",)
_DEFAULT_TEAM = {
    "aWSSalesRepName": "Sam Seller", "aWSSalesRepEmail": "sam.seller@amazon.example",
    "aWSAccountOwnerName": "Oscar Owner", "aWSAccountOwnerEmail": "oscar.owner@amazon.example",
    "aWSPartnerSuccessManagerName": "Pat Psm", "aWSPartnerSuccessManagerEmail": "pat.psm@amazon.example",
}
#: Fields whose value on a record is managed by the lifecycle, never copied from a partner record.
_LIFECYCLE_FIELDS = frozenset({"apnCrmUniqueIdentifier", "status", "opportunityOwnership",
                               "partnerAcceptanceStatus", "nextStepHistory"})


class OpportunityBook(Book):
    entity = "opportunity"
    catalog = OPPORTUNITY

    # --- reading ---------------------------------------------------------------------------

    def is_aws_referral(self, record_id: str) -> bool:
        return self.require(record_id)["opportunityOwnership"] == AWS_REFERRAL

    def visible_ids(self) -> set[str]:
        """Opportunities shared with the partner: its own, and AWS referrals it has not rejected."""
        return {rid for rid, entry in self.records.items()
                if entry["fields"]["opportunityOwnership"] == PARTNER_REFERRAL
                or entry["fields"]["partnerAcceptanceStatus"] != REJECTED}

    def partner_keys(self) -> set[str]:
        return {entry["fields"]["partnerCrmUniqueIdentifier"] for entry in self.records.values()
                if entry["fields"].get("partnerCrmUniqueIdentifier")}

    def exportable(self, record_id: str) -> bool:
        """A rejected AWS referral is closed to the partner once its rejection was exported."""
        return not self.meta(record_id).get("closed_to_partner")

    def outbound_view(self, record_id: str) -> dict[str, Any]:
        """The record as the partner sees it in an outbound file: every field, nulls included."""
        fields = self.require(record_id)
        view = {name: fields.get(name) for name in self.outbound_fields()}
        for name in NOT_ECHOED:
            view[name] = None
        if fields["opportunityOwnership"] == AWS_REFERRAL and fields["partnerAcceptanceStatus"] != ACCEPTED:
            view.update(dict.fromkeys(MASKED_FIELDS, MASKED_VALUE))
            view.update(dict.fromkeys(NULL_UNTIL_ACCEPTED))
        if fields["status"] != "Approved":
            view.update(dict.fromkeys(AWS_TEAM_FIELDS))
        return view

    # --- partner changes (already validated by the rule engine) -------------------------------

    def create_from_partner(self, changes: Mapping[str, Any]) -> str:
        partner = self.config.partner
        values = {k: v for k, v in changes.items() if k in self.catalog and k not in _LIFECYCLE_FIELDS}
        values.setdefault("opportunityType", "Net New Business")
        values.setdefault("doesOppBelongToNatSec", "No")
        if not values.get("opportunityOwnerEmail"):
            values["opportunityOwnerEmail"] = partner.alliance_lead_email
            values["opportunityOwnerName"] = partner.alliance_lead_name
        values.update(opportunityOwnership=PARTNER_REFERRAL, stage="Prospect", status="Submitted",
                      partnerAcceptanceStatus=None, aWSStage="Prospect")
        record_id = self.insert(values, actor=self.partner_actor(), meta={"source": "partner"})
        if values.get("nextStep"):
            self._log_next_step(record_id, values["nextStep"])
        return record_id

    def apply_partner_update(self, record_id: str, changes: Mapping[str, Any]) -> None:
        fields = self.require(record_id)
        decision = changes.get("partnerAcceptanceStatus")
        if decision in (ACCEPTED, REJECTED):
            fields["partnerAcceptanceStatus"] = decision
            if decision == REJECTED:
                fields["rejectionReason"] = changes.get("rejectionReason")
                self.meta(record_id)["closing"] = True
        previous_next_step = fields.get("nextStep")
        for name, value in changes.items():
            if name in self.catalog and name not in _LIFECYCLE_FIELDS:
                fields[name] = value
        if fields.get("nextStep") and fields["nextStep"] != previous_next_step:
            self._log_next_step(record_id, fields["nextStep"])
        if fields["status"] == "Action Required":
            # Sending the corrected record resubmits it for review (ACE-CONTRACT §8.2).
            fields["status"] = "Submitted"
        self.touch(record_id, actor=self.partner_actor())

    def after_export(self, record_id: str) -> None:
        meta = self.meta(record_id)
        if meta.pop("closing", False):
            meta["closed_to_partner"] = True

    # --- AWS's side (test hooks) -----------------------------------------------------------------

    def refer(self, overrides: Mapping[str, Any] | None = None, *, accept_by: datetime | None = None) -> str:
        """AWS shares a new opportunity with the partner; returns its id."""
        overrides = dict(overrides or {})
        self.check_field_names(overrides)
        next_id = f"O{self.state.next_numbers['opportunity']}"
        values = opportunity_referral(next_id, today=self.now.date(),
                                      product_codes=self.config.partner.product_codes)
        values.update(opportunityOwnerEmail=self.config.partner.alliance_lead_email,
                      opportunityOwnerName=self.config.partner.alliance_lead_name)
        values.update(overrides)
        deadline = accept_by or self.now + timedelta(days=self.config.accept_by_days)
        values.update(opportunityOwnership=AWS_REFERRAL, status="Approved", stage=values.get("stage") or "Prospect",
                      partnerAcceptanceStatus=None, partnerCrmUniqueIdentifier=None,
                      acceptBy=ace_datetime(deadline), aWSStage=values.get("stage") or "Prospect")
        record_id = self.insert(values, actor=AWS_ACTOR, meta={"source": "aws"})
        if values.get("nextStep"):
            self._log_next_step(record_id, values["nextStep"])
        return record_id

    def review(self, record_id: str, *, to: str, comment: str | None = None) -> None:
        """AWS's review of a partner referral moves it to ``to``."""
        if to not in REVIEW_STATUSES:
            raise InvalidChange(f"review status must be one of {', '.join(REVIEW_STATUSES)}, not {to!r}")
        fields = self.require(record_id)
        if fields["opportunityOwnership"] != PARTNER_REFERRAL:
            raise InvalidChange(f"{record_id} is an AWS referral; only partner referrals are reviewed")
        fields["status"] = to
        if comment is not None:
            fields["apnReviewerComments"] = comment
        elif to == "Action Required":
            fields["apnReviewerComments"] = "Please correct the customer details and resubmit."
        if to == "Approved":
            for name, value in _DEFAULT_TEAM.items():
                fields[name] = fields.get(name) or value
        self.touch(record_id, actor=AWS_ACTOR)

    def seller_update(self, record_id: str, *, stage: str | None = None, next_step: str | None = None,
                      close_date: str | None = None, closed_lost_reason: str | None = None,
                      values: Mapping[str, Any] | None = None) -> None:
        """The AWS seller changes their own view of the opportunity."""
        fields = self.require(record_id)
        extra = dict(values or {})
        self.check_field_names(extra)
        if stage is not None:
            allowed = OPPORTUNITY.values_of("stage")
            if stage not in allowed:
                raise InvalidChange(f"stage must be one of {', '.join(allowed)}, not {stage!r}")
            fields["aWSStage"] = stage
            if fields["opportunityOwnership"] == AWS_REFERRAL and fields["partnerAcceptanceStatus"] != ACCEPTED:
                fields["stage"] = stage  # AWS owns the pipeline until the partner accepts
        if close_date is not None:
            fields["aWSCloseDate"] = close_date
        if closed_lost_reason is not None:
            fields["aWSClosedLostReason"] = closed_lost_reason
        if next_step is not None:
            fields["nextStep"] = next_step
            self._log_next_step(record_id, next_step)
        fields.update(extra)
        self.touch(record_id, actor=AWS_ACTOR)

    def _log_next_step(self, record_id: str, text: str) -> None:
        fields = self.require(record_id)
        entry = f"{ace_datetime(self.now)}: {text}"
        history = fields.get("nextStepHistory")
        fields["nextStepHistory"] = entry if not history else f"{entry}\n{history}"
