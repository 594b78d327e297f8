"""Spot checks of the field catalog and reference data against facts of the ACE contract."""

from __future__ import annotations

import pytest

from connector.ace import reference_data as ref
from connector.ace.catalog import (
    LEAD,
    OPPORTUNITY,
    Direction,
    FieldKind,
    OnCreate,
    catalog_for,
    is_masked,
    join_multi,
    split_multi,
)


def test_catalog_for_returns_each_entity_and_rejects_others():
    assert catalog_for("opportunity") is OPPORTUNITY
    assert catalog_for("lead") is LEAD
    assert OPPORTUNITY.record_key == "opportunities"
    assert LEAD.record_key == "leads"
    with pytest.raises(ValueError, match="unknown ACE entity 'account'"):
        catalog_for("account")


def test_field_counts():
    assert len(OPPORTUNITY.names()) == 88
    deprecated = [f.name for f in OPPORTUNITY if f.deprecated]
    assert len(deprecated) == 11 and "subUseCase" in deprecated
    assert len(LEAD) == 33


@pytest.mark.parametrize(("field", "count"), [
    ("industry", 28), ("useCase", 39), ("closedLostReason", 19), ("country", 251), ("state", 62),
    ("marketingActivityChannel", 13), ("marketingActivityUsecase", 26), ("campaignName", 16),
    ("customerSoftwareValueCurrency", 168), ("partnerPrimaryNeedFromAws", 9), ("salesActivities", 8),
    ("competitiveTracking", 11), ("stage", 7), ("status", 6), ("rejectionReason", 6),
])
def test_opportunity_picklist_sizes(field, count):
    assert len(OPPORTUNITY.values_of(field)) == count


@pytest.mark.parametrize(("field", "count"), [
    ("industry", 37), ("country", 249), ("state", 163), ("useCaseWorkload", 10), ("status", 4),
    ("currentLeadStage", 2),
])
def test_lead_picklist_sizes(field, count):
    assert len(LEAD.values_of(field)) == count


def test_spelling_traps_are_kept_exactly():
    lost = OPPORTUNITY.values_of("closedLostReason")
    assert "Lost to Competitor \u2013 Google" in lost  # en dash, not a hyphen
    assert "Lost to Competitor - Google" not in lost
    assert "*Other" in OPPORTUNITY.values_of("competitiveTracking")
    assert "Other- Cost Optimization" in OPPORTUNITY.values_of("competitiveTracking")
    # the currency header has a leading space in AWS's file; the field name does not
    assert "USD" in OPPORTUNITY.values_of("customerSoftwareValueCurrency")
    # lead and opportunity country lists spell Bonaire differently
    assert "Bonaire, Sint Eustatius and Saba" in OPPORTUNITY.values_of("country")
    assert "Bonaire,Sint Eustatius and Saba" in LEAD.values_of("country")
    # the JSON name has no trailing space, unlike the field list's row
    assert "cosellConvertReason" in OPPORTUNITY


def test_well_known_field_facts():
    natsec = OPPORTUNITY.get("doesOppBelongToNatSec")
    assert natsec.values == ("Yes", "No")
    assert OPPORTUNITY.get("IsOppFromMarketingActivity").on_create is OnCreate.MANDATORY
    assert OPPORTUNITY.get("isMarketingDevelopmentFunded").on_create is OnCreate.CONDITIONAL
    assert OPPORTUNITY.get("offers").on_create is OnCreate.NOT_ACCEPTED
    assert OPPORTUNITY.get("status").direction is Direction.OUTBOUND_ONLY
    assert OPPORTUNITY.get("awsProducts").kind is FieldKind.STRING_ARRAY
    assert OPPORTUNITY.get("deliveryModel").kind is FieldKind.MULTIPICKLIST
    assert OPPORTUNITY.get("targetCloseDate").kind is FieldKind.DATE
    assert OPPORTUNITY.get("acceptBy").kind is FieldKind.DATETIME
    assert OPPORTUNITY.get("expectedMonthlyAwsRevenue").kind is FieldKind.NUMBER
    assert OPPORTUNITY.get("customerDuns").max_length == 9
    assert OPPORTUNITY.get("projectDescription").min_length == 20
    assert OPPORTUNITY.get("partnerCrmUniqueIdentifier").max_length == 64
    assert OPPORTUNITY.get("targetCloseDate").label == "Target Launch Date"
    assert OPPORTUNITY.get("aWSPartnerSuccessManagerName").label == "AWS Partner Success Manager Name"
    assert "nope" not in OPPORTUNITY and OPPORTUNITY.get("nope") is None


def test_updatability_columns():
    country = OPPORTUNITY.get("country")
    assert country.updatable_action_required and not country.updatable_approved
    assert OPPORTUNITY.get("stage").updatable_approved
    assert OPPORTUNITY.get("deliveryModel").updatable_launched == {"isv", "special_program"}
    assert OPPORTUNITY.get("procurementType").updatable_launched == {"special_program"}
    assert OPPORTUNITY.get("stage").updatable_launched == frozenset()
    action_required = {f.name for f in OPPORTUNITY if f.updatable_action_required}
    assert action_required == {"city", "country", "customerWebsite", "postalCode", "state", "streetAddress",
                               "targetCloseDate", "expectedMonthlyAwsRevenue", "projectDescription",
                               "partnerCrmUniqueIdentifier"}


def test_lead_directions_and_updatability():
    assert LEAD.get("firstName").direction is Direction.INBOUND_ONLY
    assert LEAD.get("fullName").direction is Direction.OUTBOUND_ONLY
    assert not LEAD.get("leadOwnerName").updatable_approved  # "Update" in the sheet, yet outbound only
    assert LEAD.get("leadStatusReason").max_length == 255
    assert LEAD.get("useCaseWorkload").kind is FieldKind.MULTIPICKLIST
    assert not LEAD.get("apnCrmUniqueIdentifier").updatable_approved


def test_every_field_has_a_label_and_description():
    for catalog in (OPPORTUNITY, LEAD):
        for spec in catalog:
            assert spec.label and spec.label != "#N/A", spec.name
            assert spec.description.endswith("."), spec.name
            if spec.is_picklist and not spec.deprecated:
                assert spec.values, spec.name


@pytest.mark.parametrize("value", ["Accept To View", "Accept to View", "  accept to  view ", "ACCEPT TO VIEW"])
def test_is_masked_accepts_every_spelling(value):
    assert is_masked(value)


@pytest.mark.parametrize("value", [None, "", "Accept", "Accept To View!", 5, ["Accept To View"]])
def test_is_masked_rejects_other_values(value):
    assert not is_masked(value)


def test_multi_value_helpers():
    assert split_multi("A;B") == ["A", "B"]
    assert join_multi(["A", "B"]) == "A;B"


@pytest.mark.parametrize(("country", "good", "bad"), [
    ("United States", "98101-1234", "9810"),
    ("Canada", "K1A 0B1", "K1A-0B1"),
    ("United Kingdom", "SW1A 1AA", "12345"),
    ("Great Britain", "DT3 6GB", "DT3"),
    ("Netherlands", "1234 AB", "1234"),
    ("Sweden", "SE-12345", "SE12345"),
    ("Brazil", "12345-678", "1234-567"),
    ("Japan", "123-4567", "1234567-"),
])
def test_postal_code_rules(country, good, bad):
    rule = ref.postal_code_rule(country)
    assert rule.matches(good)
    assert not rule.matches(bad)


def test_postal_code_messages_are_verbatim():
    rule = ref.postal_code_rule("united   states")
    assert rule.message == ("The postal code is invalid for country United States, United States postal code "
                            "must be in 99999 OR 99999-9999 format.")
    assert ref.postal_code_rule("Virgin Islands, U.S.").message.startswith(
        "The postal code is invalid for country VIRGIN ISLANDS, U.S.,")
    assert ref.postal_code_rule("Germany") is not None
    assert ref.postal_code_rule("Atlantis") is None
    assert len(ref.postal_code_rules()) == 149


def test_countries_without_postal_code_use_picklist_spellings():
    without = ref.countries_without_postal_code()
    assert len(without) == 59
    assert without <= set(OPPORTUNITY.values_of("country"))
    assert "Saint Helena, Ascension and Tristan Da Cunha" in without
    assert not ref.has_postal_code("Bonaire,Sint Eustatius and Saba")  # the lead spelling
    assert not ref.has_postal_code("Hong Kong")
    assert ref.has_postal_code("United States")


def test_sample_catalogs():
    assert "AmazonBraket" in ref.sample_product_codes()
    assert len(ref.sample_aws_products()) == len(ref.sample_product_codes())
    assert "S-0001111" in ref.sample_solution_ids()
    assert all(s.id.startswith("S-") for s in ref.sample_partner_solutions())
