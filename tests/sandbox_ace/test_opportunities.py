"""Partner-created opportunities through S3: create, review, update, mixed files, duplicates, export."""

from __future__ import annotations

import pytest

from connector.sandbox.ace import InvalidChange, Simulator

from .scenario import Partner, valid_create


def test_create_returns_a_new_id_and_starts_submitted(partner: Partner, simulator: Simulator) -> None:
    create = valid_create("006PARTNERKEY000001", stage="Committed")
    result = partner.send_one("opportunity", create)
    assert result == {"warnings": None, "partnerCrmUniqueIdentifier": "006PARTNERKEY000001", "isSuccess": True,
                      "errors": None, "apnCrmUniqueIdentifier": result["apnCrmUniqueIdentifier"]}
    assert result["apnCrmUniqueIdentifier"].startswith("O") and len(result["apnCrmUniqueIdentifier"]) == 8
    stored = simulator.opportunity(result["apnCrmUniqueIdentifier"])
    assert (stored["opportunityOwnership"], stored["stage"], stored["status"]) == \
        ("Partner Referral", "Prospect", "Submitted")
    assert stored["opportunityOwnerEmail"] == simulator.config.partner.alliance_lead_email


def test_results_file_and_archives(partner: Partner, simulator: Simulator) -> None:
    key = partner.put("opportunity", "opp_06012025_a1.json", [valid_create()])
    report = simulator.tick()
    assert [(f.key, f.answer_key, f.success) for f in report.files] == [
        (key, "opportunity-inbound-processed-results/opp_06012025_a1_result.json", "ALL")]
    assert partner.keys("opportunity-inbound/") == []
    assert partner.keys("opportunity-inbound-archive/") == ["opportunity-inbound-archive/opp_06012025_a1.json"]
    [copy] = partner.keys("opportunity-inbound-processed-results-archive/")
    assert copy.startswith("opportunity-inbound-processed-results-archive/20")
    assert copy.endswith("/opp_06012025_a1_result.json") and copy.count("/") == 4
    assert partner.read(copy) == partner.results("opportunity", "opp_06012025_a1.json")


def test_missing_mandatory_fields_use_aces_wording(partner: Partner, simulator: Simulator) -> None:
    record = valid_create()
    for name in ("useCase", "postalCode", "salesActivities"):
        del record[name]
    result = partner.send_one("opportunity", record)
    assert result["isSuccess"] is False
    assert result["apnCrmUniqueIdentifier"] is None
    assert result["errors"][0].startswith("Required: Use Case;Postal Code")
    assert "Please enter Pre-sales Activities" in result["errors"]
    assert simulator.state().opportunities == {}


def test_mixed_file_is_partial_in_input_order(partner: Partner, simulator: Simulator) -> None:
    records = [valid_create("KEY-A"), valid_create("KEY-B", expectedMonthlyAwsRevenue=0), "not a record",
               valid_create("KEY-C")]
    partner.put("opportunity", "mixed.json", records)
    simulator.tick()
    results = partner.results("opportunity", "mixed.json")
    assert results["success"] == "PARTIAL"
    assert results["isApiError"] is False and results["apiErrors"] is None
    entries = results["inboundApiResults"]
    assert [e["partnerCrmUniqueIdentifier"] for e in entries] == ["KEY-A", "KEY-B", None, "KEY-C"]
    assert [e["isSuccess"] for e in entries] == [True, False, False, True]
    assert entries[2]["errors"] == ['"not a record" is not of type \'object\'']
    assert len(simulator.state().opportunities) == 2


def test_updates_are_refused_while_in_review_and_allowed_once_approved(partner: Partner,
                                                                       simulator: Simulator) -> None:
    created = partner.send_one("opportunity", valid_create("KEY-1"))
    opp_id = created["apnCrmUniqueIdentifier"]
    update = {"partnerCrmUniqueIdentifier": "KEY-1", "apnCrmUniqueIdentifier": opp_id, "stage": "Qualified"}
    assert partner.send_one("opportunity", update)["errors"] == ["Record is not editable."]

    simulator.review(opp_id, to="In review")
    assert partner.send_one("opportunity", update)["errors"] == ["Record is not editable."]

    simulator.review(opp_id, to="Approved")
    result = partner.send_one("opportunity", update)
    assert result["isSuccess"] is True, result
    assert simulator.opportunity(opp_id)["stage"] == "Qualified"


def test_create_with_a_known_partner_key_is_routed_to_update(partner: Partner, simulator: Simulator) -> None:
    first = partner.send_one("opportunity", valid_create("KEY-DUP"))
    second = partner.send_one("opportunity", valid_create("KEY-DUP"))
    assert second["errors"] == ["Record is not editable."]
    assert second["apnCrmUniqueIdentifier"] == first["apnCrmUniqueIdentifier"]
    assert len(simulator.state().opportunities) == 1


def test_unknown_aws_id_is_not_found(partner: Partner, simulator: Simulator) -> None:
    result = partner.send_one("opportunity", {"apnCrmUniqueIdentifier": "O9999999", "stage": "Qualified"})
    assert result["errors"] == ["Record not found for apnCrmUniqueIdentifier:O9999999"]


def test_action_required_then_corrected_update_resubmits(partner: Partner, simulator: Simulator) -> None:
    opp_id = partner.send_one("opportunity", valid_create("KEY-AR"))["apnCrmUniqueIdentifier"]
    simulator.review(opp_id, to="Action Required", comment="Customer website is wrong")
    partner.outbound_records("opportunity")
    simulator.export()
    [exported] = partner.outbound_records("opportunity")
    assert (exported["status"], exported["apnReviewerComments"]) == ("Action Required", "Customer website is wrong")

    fix = {"apnCrmUniqueIdentifier": opp_id, "customerWebsite": "https://example.org"}
    assert partner.send_one("opportunity", fix)["isSuccess"] is True
    stored = simulator.opportunity(opp_id)
    assert (stored["status"], stored["customerWebsite"]) == ("Submitted", "https://example.org")


def test_approval_reveals_the_aws_team_in_the_export(partner: Partner, simulator: Simulator) -> None:
    opp_id = partner.send_one("opportunity", valid_create("KEY-T"))["apnCrmUniqueIdentifier"]
    [submitted] = partner.outbound_records("opportunity")
    assert submitted["status"] == "Submitted" and submitted["aWSSalesRepEmail"] is None

    simulator.review(opp_id, to="Approved")
    simulator.export()
    [approved] = partner.outbound_records("opportunity")
    assert approved["status"] == "Approved"
    assert approved["aWSSalesRepEmail"] and approved["aWSAccountOwnerName"]
    assert approved["partnerCrmUniqueIdentifier"] == "KEY-T"


def test_rejected_review_hides_the_team(partner: Partner, simulator: Simulator) -> None:
    opp_id = partner.send_one("opportunity", valid_create())["apnCrmUniqueIdentifier"]
    simulator.review(opp_id, to="Rejected", comment="Duplicate")
    simulator.export()
    records = partner.outbound_records("opportunity")
    assert records[-1]["status"] == "Rejected" and records[-1]["aWSSalesRepName"] is None


def test_seller_update_flows_outbound_with_history(partner: Partner, simulator: Simulator) -> None:
    opp_id = partner.send_one("opportunity", valid_create())["apnCrmUniqueIdentifier"]
    simulator.review(opp_id, to="Approved")
    partner.outbound_records("opportunity")
    simulator.seller_update(opp_id, stage="Technical Validation", next_step="Schedule the architecture review",
                            close_date="2030-01-31")
    simulator.export()
    [record] = partner.outbound_records("opportunity")
    assert (record["aWSStage"], record["aWSCloseDate"], record["stage"]) == \
        ("Technical Validation", "2030-01-31", "Prospect")
    assert record["nextStep"] == "Schedule the architecture review"
    assert record["nextStepHistory"].splitlines()[0].endswith(": Schedule the architecture review")


def test_test_hooks_refuse_what_aws_would_not_do(simulator: Simulator) -> None:
    referral = simulator.refer_opportunity()
    with pytest.raises(InvalidChange, match="only partner referrals are reviewed"):
        simulator.review(referral, to="Approved")
    with pytest.raises(InvalidChange, match="review status must be one of"):
        simulator.review(referral, to="Done")
    with pytest.raises(InvalidChange, match="stage must be one of"):
        simulator.seller_update(referral, stage="Won")
    with pytest.raises(InvalidChange, match="close date must be YYYY-MM-DD"):
        simulator.seller_update(referral, close_date="31/01/2030")
    with pytest.raises(InvalidChange, match="unknown opportunity field"):
        simulator.refer_opportunity(notAField=1)


def test_duplicate_file_name_gets_an_error_result_and_keeps_the_first(partner: Partner,
                                                                       simulator: Simulator) -> None:
    partner.put("opportunity", "same.json", [valid_create("KEY-S1")])
    simulator.tick()
    first = partner.results("opportunity", "same.json")
    partner.put("opportunity", "same.json", [valid_create("KEY-S2")])
    report = simulator.tick()
    [answer] = report.files
    assert answer.success == "NONE" and "already processed" in answer.reason
    assert answer.answer_key.startswith("opportunity-inbound-processed-results/same_result_duplicate_")
    duplicate = partner.read(answer.answer_key)
    assert duplicate["fileName"] == "opportunity-inbound/same.json" and duplicate["isApiError"] is True
    assert partner.results("opportunity", "same.json") == first
    assert len(simulator.state().opportunities) == 1
    assert partner.keys("opportunity-inbound/") == []
    assert any("/duplicates/" in key for key in partner.keys("opportunity-inbound-archive/"))


def test_duplicate_file_name_can_be_dropped_silently(partner: Partner, simulator: Simulator) -> None:
    simulator.configure(flags={"duplicate_name_behaviour": "silent"})
    partner.put("opportunity", "same.json", [valid_create()])
    simulator.tick()
    partner.put("opportunity", "same.json", [valid_create()])
    [answer] = simulator.tick().files
    assert (answer.answer_key, answer.success) == (None, None)
    assert len(partner.keys("opportunity-inbound-processed-results/")) == 1
    assert partner.keys("opportunity-inbound/") == []


def test_results_suffix_and_plain_prefix_flags(partner: Partner, simulator: Simulator) -> None:
    simulator.configure(flags={"results_suffix": "_results", "results_prefix_style": "plain"})
    partner.put("opportunity", "flags.json", [valid_create()])
    simulator.tick()
    assert partner.read("opportunity-inbound-results/flags_results.json")["success"] == "ALL"


def test_solution_and_close_date_flags_relax_creates(partner: Partner, simulator: Simulator) -> None:
    lenient = valid_create(targetCloseDate="2020-09-24")
    del lenient["solutionOffered"]
    assert partner.send_one("opportunity", lenient)["isSuccess"] is False
    simulator.configure(flags={"require_solution_on_create": False, "enforce_future_close_date": False})
    assert partner.send_one("opportunity", lenient)["isSuccess"] is True


def test_owner_email_must_be_a_partner_user(partner: Partner, simulator: Simulator) -> None:
    result = partner.send_one("opportunity", valid_create(opportunityOwnerEmail="xyz.abc@test.com"))
    assert result["errors"] == ["User not found for Opportunity Owner email:xyz.abc@test.com"]
    simulator.configure(partner={"user_emails": ("xyz.abc@test.com",)})
    assert partner.send_one("opportunity", valid_create(opportunityOwnerEmail="xyz.abc@test.com"))["isSuccess"]
