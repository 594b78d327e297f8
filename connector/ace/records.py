"""Typed models of ACE records: one opportunity or lead as it appears in a file.

Every field is optional because partial updates are valid: a field that is
absent leaves the stored value alone, while ``null`` clears it. The models keep
that difference (pydantic tracks which fields were set) and
``to_json_dict`` writes only what was set. Fields outside the contract are kept
as extras, never dropped.

Picklist values are plain strings here; whether a value is a standard one is a
rule (``connector.ace.rules``), not a parsing concern, so a record with a bad
value can still be read and answered.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

__all__ = ["AceDate", "AceDateTime", "AceNumber", "AceRecord", "LeadRecord", "OpportunityRecord",
           "format_ace_datetime", "parse_ace_date", "parse_ace_datetime"]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-]00:?00)?")


def parse_ace_date(value: Any) -> date:
    """``YYYY-MM-DD`` (a string) or a ``date``; nothing else, so timestamps are not guessed."""
    if isinstance(value, datetime):
        raise ValueError("expected a date (YYYY-MM-DD), got a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def parse_ace_datetime(value: Any) -> datetime:
    """``YYYY-MM-DDTHH:MM:SS[.fff]Z`` or a bare date (ACE labels some of these "Date"); UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        return datetime.combine(parse_ace_date(value), datetime.min.time(), tzinfo=UTC)
    if isinstance(value, str) and _DATETIME_RE.fullmatch(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date and time") from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise ValueError(f"expected a UTC date and time as YYYY-MM-DDTHH:MM:SS.000Z, got {value!r}")


def format_ace_datetime(value: datetime) -> str:
    """ACE's own datetime format: milliseconds and a ``Z``, e.g. ``2022-03-08T13:15:35.000Z``."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _number(value: Any) -> float:
    # bool is an int in Python, and "100" is text in JSON: neither is an ACE number
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a JSON number, got {value!r}")
    return float(value)


AceDate = Annotated[date, BeforeValidator(parse_ace_date)]
AceDateTime = Annotated[datetime, BeforeValidator(parse_ace_datetime),
                        PlainSerializer(format_ace_datetime, when_used="json")]
AceNumber = Annotated[float, BeforeValidator(_number)]


class AceRecord(BaseModel):
    """Base of the record models: unknown fields kept, absent distinct from null."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    def to_json_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data with only the fields that were set (nulls kept)."""
        return self.model_dump(mode="json", exclude_unset=True)


class OpportunityRecord(AceRecord):
    """An opportunity (ACE-CONTRACT §12), in the contract's field order."""

    doesOppBelongToNatSec: str | None = None
    city: str | None = None
    country: str | None = None
    customerWebsite: str | None = None
    customerDuns: str | None = None
    industry: str | None = None
    industryOther: str | None = None
    customerCompanyName: str | None = None
    postalCode: str | None = None
    state: str | None = None
    streetAddress: str | None = None
    awsSFCampaignName: str | None = None
    awsProducts: list[str] | None = None
    targetCloseDate: AceDate | None = None
    deliveryModel: str | None = None
    IsOppFromMarketingActivity: str | None = None
    marketingActivityChannel: str | None = None
    marketingActivityUsecase: str | None = None
    isMarketingDevelopmentFunded: str | None = None
    nextStepHistory: str | None = None
    nextStep: str | None = None
    opportunityType: str | None = None
    otherSolutionOffered: str | None = None
    parentOppId: str | None = None
    partnerPrimaryNeedFromAws: str | None = None
    partnerProjectTitle: str | None = None
    salesActivities: str | None = None
    expectedMonthlyAwsRevenue: AceNumber | None = None
    projectDescription: str | None = None
    solutionOffered: list[str] | None = None
    useCase: str | None = None
    additionalComments: str | None = None
    awsAccountId: str | None = None
    campaignName: str | None = None
    competitiveTracking: str | None = None
    competitiveTrackingOther: str | None = None
    partnerCrmUniqueIdentifier: str | None = None
    aWSAccountOwnerEmail: str | None = None
    aWSAccountOwnerName: str | None = None
    aWSISVSuccessManagerEmail: str | None = None
    aWSISVSuccessManagerName: str | None = None
    aWSSalesRepEmail: str | None = None
    aWSSalesRepName: str | None = None
    customerEmail: str | None = None
    customerFirstName: str | None = None
    customerLastName: str | None = None
    customerPhone: str | None = None
    customerTitle: str | None = None
    partnerDeveloperManagerEmail: str | None = None
    partnerDeveloperManager: str | None = None
    primaryContactEmail: str | None = None
    primaryContactFirstName: str | None = None
    primaryContactLastName: str | None = None
    primaryContactPhone: str | None = None
    primaryContactTitle: str | None = None
    aWSPartnerSuccessManagerName: str | None = None
    aWSPartnerSuccessManagerEmail: str | None = None
    wWPSPDMEmail: str | None = None
    wWPSPDM: str | None = None
    apnCrmUniqueIdentifier: str | None = None
    opportunityOwnership: str | None = None
    opportunityOwnerEmail: str | None = None
    opportunityOwnerName: str | None = None
    engagementScore: str | None = None
    recommendedNextBestActions: str | None = None
    stage: str | None = None
    status: str | None = None
    offers: list[str] | None = None
    contractEndDate: AceDate | None = None
    customerSoftwareValueCurrency: str | None = None
    customerSoftwareValue: AceNumber | None = None
    contractStartDate: AceDate | None = None
    procurementType: str | None = None
    acceptBy: AceDateTime | None = None
    partnerAcceptanceStatus: str | None = None
    rejectionReason: str | None = None
    apnReviewerComments: str | None = None
    closedLostReason: str | None = None
    apnCrmLeadUniqueIdentifier: str | None = None
    aWSClosedLostReason: str | None = None
    aWSCloseDate: AceDate | None = None
    aWSStage: str | None = None
    createdBy: str | None = None
    createdDate: AceDateTime | None = None
    lastModifiedBy: str | None = None
    lastModifiedDate: AceDateTime | None = None
    cosellConvertReason: str | None = None
    backwardsCompatibilityChanges: str | None = None
    # payload version 1 only; ignored for version 2 partners
    awsFieldEngagement: str | None = None
    contractVehicle: str | None = None
    partnerPrimaryNeedFromAwsOther: str | None = None
    isThisAPublicReference: str | None = None
    publicReferenceTitle: str | None = None
    publicReferenceUrl: str | None = None
    isThisForMarketplace: str | None = None
    leadSource: str | None = None
    isNetNewBusinessForCompany: str | None = None
    rfxSolicitationNumber: str | None = None
    subUseCase: str | None = None


class LeadRecord(AceRecord):
    """A lead (ACE-CONTRACT §13), in the contract's field order."""

    status: str | None = None
    currentLeadStage: str | None = None
    partnerCrmLeadId: str | None = None
    apnCrmUniqueIdentifier: str | None = None
    campaignName: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    fullName: str | None = None
    email: str | None = None
    website: str | None = None
    useCaseWorkload: str | None = None
    title: str | None = None
    streetAddress: str | None = None
    state: str | None = None
    segmentCompanySize: str | None = None
    projectDescription: str | None = None
    postalCode: str | None = None
    phone: str | None = None
    levelofAWSUsage: str | None = None
    leadStatusReason: str | None = None
    leadSource: str | None = None
    leadOwnerName: str | None = None
    leadOwnerEmail: str | None = None
    leadAge: AceNumber | None = None
    lastModifiedDate: AceDateTime | None = None
    lastModifiedBy: str | None = None
    industry: str | None = None
    createdDate: AceDateTime | None = None
    createdBy: str | None = None
    country: str | None = None
    company: str | None = None
    city: str | None = None
    campaignMemberStatus: str | None = None
