"""Matching ACE opportunities to Salesforce records: exact id first, then scored rules; doubt goes to a human."""

from __future__ import annotations

import pytest

from connector.golive.matching import Candidate, Decision, MatchRules, match_opportunities, similarity

RULES = MatchRules()


def ace(ace_id: str, company: str, title: str, close: str, website: str | None = None) -> dict:
    return {"apnCrmUniqueIdentifier": ace_id, "customerCompanyName": company, "partnerProjectTitle": title,
            "targetCloseDate": close, "customerWebsite": website}


def sf(sf_id: str, company: str, title: str, close: str, website: str | None = None) -> Candidate:
    return Candidate(sf_id=sf_id, name=title, values={"customerCompanyName": company, "partnerProjectTitle": title,
                                                       "targetCloseDate": close, "customerWebsite": website})


CANDIDATES = [
    sf("006A", "Harbor Mutual Inc.", "Claims platform rebuild", "2025-03-31", "https://www.harbor-mutual.example"),
    sf("006B", "Lakeshore Stores", "Retail analytics", "2025-06-30", "lakeshore-stores.example"),
    sf("006C", "Pinecrest Logistics", "Fleet telemetry", "2025-05-01"),
    sf("006D", "Pinecrest Logistics", "Fleet telemetry", "2025-05-02"),
]


def test_an_ace_id_already_on_a_record_wins_whatever_the_scores() -> None:
    linked = {"O100": CANDIDATES[1]}
    [decision] = match_opportunities([ace("O100", "Somebody Else", "Other", "2030-01-01")], CANDIDATES,
                                     linked=linked, rules=RULES)
    assert (decision.decision, decision.sf_id) == (Decision.LINKED, "006B")


def test_a_clear_scored_match_is_proposed_with_its_score() -> None:
    [decision] = match_opportunities(
        [ace("O200", "Harbor Mutual", "Claims platform rebuild", "2025-04-04", "harbor-mutual.example/contact")],
        CANDIDATES, linked={}, rules=RULES)
    assert decision.decision is Decision.MATCHED and decision.decision.links
    assert decision.sf_id == "006A" and decision.score > 0.9


def test_two_equally_good_records_are_a_tie_left_for_a_human() -> None:
    [decision] = match_opportunities([ace("O300", "Pinecrest Logistics", "Fleet telemetry", "2025-05-01")],
                                     CANDIDATES, linked={}, rules=RULES)
    assert decision.decision is Decision.TIE and not decision.decision.links
    assert "006D" in decision.reason or "006C" in decision.reason


def test_a_weak_resemblance_is_a_low_score_for_review() -> None:
    [decision] = match_opportunities([ace("O400", "Lakeshore Bakery", "Bread ovens", "2027-01-01")],
                                     CANDIDATES, linked={}, rules=RULES)
    assert decision.decision is Decision.LOW_SCORE and "under 0.75" in decision.reason


def test_one_record_best_for_two_ace_opportunities_links_neither() -> None:
    decisions = match_opportunities(
        [ace("O500", "Lakeshore Stores", "Retail analytics", "2025-06-30"),
         ace("O501", "Lakeshore Stores Inc", "Retail analytics", "2025-06-29")],
        CANDIDATES[:2], linked={}, rules=RULES)
    assert [d.decision for d in decisions] == [Decision.CONFLICT, Decision.CONFLICT]


def test_rules_are_configurable_and_checked() -> None:
    title_only = MatchRules(weights={"title": 1.0}, min_score=0.9)
    [decision] = match_opportunities([ace("O600", "Unknown", "Retail analytics", "2031-01-01")], CANDIDATES,
                                     linked={}, rules=title_only)
    assert (decision.decision, decision.sf_id) == (Decision.MATCHED, "006B")
    with pytest.raises(ValueError, match="unknown matching rule"):
        MatchRules(weights={"colour": 1.0})
    with pytest.raises(ValueError, match="not name=number"):
        MatchRules.parse_weights("account=lots")


def test_similarity_of_websites_ignores_scheme_www_and_path() -> None:
    assert similarity("website", "https://www.a.example/x", "a.example", rules=RULES) == 1.0
    assert similarity("website", "a.example", "b.example", rules=RULES) == 0.0
    assert similarity("close_date", "2025-01-01", "2025-01-31", rules=RULES) == pytest.approx(0.5)
