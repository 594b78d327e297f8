"""Leads as ACE keeps them, and their lifecycle (ACE-CONTRACT §9).

AWS shares a lead with its personal data masked; the partner accepts or rejects
it; an accepted lead shows its data and can be updated. Partners cannot create
leads. Validation is not done here: callers run ACE's rule engine first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connector.ace.catalog import LEAD, MASKED_VALUE
from connector.sandbox.ace.book import AWS_ACTOR, Book
from connector.sandbox.ace.referrals import lead_referral

ACCEPTED = "Accepted"
REJECTED = "Rejected"
#: Shown as "Accept To View" until the partner accepts the lead (ACE-CONTRACT §9.1).
MASKED_FIELDS = ("title", "streetAddress", "state", "postalCode", "phone", "fullName", "email",
                 "country", "company", "city")
_LIFECYCLE_FIELDS = frozenset({"apnCrmUniqueIdentifier", "firstName", "lastName", "currentLeadStage"})
_DAY_SECONDS = 86_400


class LeadBook(Book):
    entity = "lead"
    catalog = LEAD

    def exportable(self, record_id: str) -> bool:
        return True

    def after_export(self, record_id: str) -> None:
        """Leads need no bookkeeping after an export."""

    def outbound_view(self, record_id: str) -> dict[str, Any]:
        fields = self.require(record_id)
        view = {name: fields.get(name) for name in self.outbound_fields()}
        if fields["currentLeadStage"] != ACCEPTED:
            view.update(dict.fromkeys(MASKED_FIELDS, MASKED_VALUE))
        view["leadAge"] = float(self._age_days(fields["createdDate"]))
        return view

    def _age_days(self, created: str) -> int:
        created_at = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=self.now.tzinfo)
        return max(0, int((self.now - created_at).total_seconds() // _DAY_SECONDS))

    def apply_partner_update(self, record_id: str, changes: Mapping[str, Any]) -> None:
        """Accept, reject or update a lead (already validated by the rule engine)."""
        fields = self.require(record_id)
        stage = changes.get("currentLeadStage")
        if stage in (ACCEPTED, REJECTED):
            fields["currentLeadStage"] = stage
        for name, value in changes.items():
            if name in self.catalog and name not in _LIFECYCLE_FIELDS:
                fields[name] = value
        if "firstName" in changes or "lastName" in changes:
            first = changes.get("firstName", fields.get("firstName"))
            last = changes.get("lastName", fields.get("lastName"))
            fields["firstName"], fields["lastName"] = first, last
            fields["fullName"] = " ".join(part for part in (first, last) if part) or None
        self.touch(record_id, actor=self.partner_actor())

    def refer(self, overrides: Mapping[str, Any] | None = None) -> str:
        """AWS shares a new lead with the partner; returns its id."""
        overrides = dict(overrides or {})
        self.check_field_names(overrides)
        values = lead_referral(f"L{self.state.next_numbers['lead']}")
        values.update(leadOwnerEmail=self.config.partner.alliance_lead_email,
                      leadOwnerName=self.config.partner.alliance_lead_name)
        values.update(overrides)
        values.update(currentLeadStage=None, partnerCrmLeadId=None)
        return self.insert(values, actor=AWS_ACTOR, meta={"source": "aws"})

    def seller_update(self, record_id: str, *, values: Mapping[str, Any]) -> None:
        """AWS marketing or sales changes the lead (e.g. ``campaignMemberStatus``)."""
        fields = self.require(record_id)
        self.check_field_names(values)
        fields.update(values)
        self.touch(record_id, actor=AWS_ACTOR)
