"""Matching ACE opportunities to Salesforce records: an ACE id already on a record first, then scored rules.

Both sides are compared in ACE's terms (the Salesforce side is read through the
partner's mapping). Each rule gives a similarity between 0 and 1; the score is
their weighted sum over the total weight, so missing data lowers the score
rather than being ignored. A match is proposed only when the best score
reaches ``min_score`` and beats the runner-up by ``tie_margin``; everything
else is left for a human, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

ACE_ID = "apnCrmUniqueIdentifier"
RULE_FIELDS = {"account": "customerCompanyName", "title": "partnerProjectTitle", "close_date": "targetCloseDate",
               "website": "customerWebsite"}
DEFAULT_WEIGHTS = {"account": 0.4, "title": 0.3, "close_date": 0.15, "website": 0.15}
#: Company-name endings that say nothing about which company it is.
_LEGAL_SUFFIXES = re.compile(r"\b(inc|llc|ltd|limited|corp|corporation|co|gmbh|ag|sa|plc|pty|bv|nv)\b\.?")


class Decision(StrEnum):
    LINKED = "already linked"  # a Salesforce record already carries this ACE id
    MATCHED = "matched"  # one clear candidate above the minimum score
    TIE = "tie: review"  # two candidates too close to call
    LOW_SCORE = "low score: review"
    NO_CANDIDATE = "no candidate"
    CONFLICT = "conflict: review"  # the best candidate is also the best for another ACE opportunity

    @property
    def links(self) -> bool:
        return self is Decision.MATCHED


@dataclass(frozen=True)
class MatchRules:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    min_score: float = 0.75
    tie_margin: float = 0.1
    close_date_window_days: int = 60

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(RULE_FIELDS))
        if unknown:
            raise ValueError(f"unknown matching rule(s) {', '.join(unknown)}; known: {', '.join(RULE_FIELDS)}")
        if not any(w > 0 for w in self.weights.values()) or any(w < 0 for w in self.weights.values()):
            raise ValueError("matching weights must be zero or more, and at least one above zero")
        if not 0 < self.min_score <= 1:
            raise ValueError(f"the minimum score must be in (0, 1], not {self.min_score}")

    @classmethod
    def parse_weights(cls, text: str) -> dict[str, float]:
        """``account=0.5,title=0.5`` -> weights; an unknown rule or a non-number is an error."""
        weights = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            try:
                weights[name.strip()] = float(value)
            except ValueError:
                raise ValueError(f"weight {part!r} is not name=number") from None
        return weights


@dataclass(frozen=True)
class Candidate:
    sf_id: str
    name: str
    values: Mapping[str, Any]  # the record in ACE terms


@dataclass(frozen=True)
class LinkDecision:
    ace_id: str
    ace_title: str
    decision: Decision
    sf_id: str | None = None
    sf_name: str | None = None
    score: float | None = None
    reason: str = ""


def _company(text: str) -> str:
    cleaned = re.sub(r"[^\w\s]", " ", text.casefold())
    return " ".join(_LEGAL_SUFFIXES.sub(" ", cleaned).split())


def _domain(text: str) -> str:
    text = text.strip().casefold()
    host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    return host.removeprefix("www.")


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def similarity(rule: str, ace_value: Any, sf_value: Any, *, rules: MatchRules) -> float:
    """How alike two values are for ``rule``, from 0 to 1 (0 when either is missing)."""
    if ace_value in (None, "") or sf_value in (None, ""):
        return 0.0
    if rule == "account":
        return SequenceMatcher(None, _company(str(ace_value)), _company(str(sf_value))).ratio()
    if rule == "title":
        return SequenceMatcher(None, str(ace_value).casefold(), str(sf_value).casefold()).ratio()
    if rule == "website":
        return 1.0 if _domain(str(ace_value)) == _domain(str(sf_value)) != "" else 0.0
    first, second = _date(ace_value), _date(sf_value)
    if first is None or second is None:
        return 0.0
    return max(0.0, 1 - abs((first - second).days) / max(rules.close_date_window_days, 1))


def score(ace: Mapping[str, Any], candidate: Candidate, rules: MatchRules) -> float:
    total = sum(rules.weights.values())
    return sum(weight * similarity(rule, ace.get(RULE_FIELDS[rule]), candidate.values.get(RULE_FIELDS[rule]),
                                   rules=rules)
               for rule, weight in rules.weights.items()) / total


def match_opportunities(ace_records: Sequence[Mapping[str, Any]], candidates: Sequence[Candidate], *,
                        linked: Mapping[str, Candidate], rules: MatchRules) -> list[LinkDecision]:
    """A decision for every ACE opportunity; ``linked`` maps ACE ids already on Salesforce records."""
    free = [c for c in candidates if c.sf_id not in {c.sf_id for c in linked.values()}]
    decisions = []
    for ace in ace_records:
        ace_id, title = str(ace[ACE_ID]), str(ace.get("partnerProjectTitle") or "")
        if ace_id in linked:
            hit = linked[ace_id]
            decisions.append(LinkDecision(ace_id, title, Decision.LINKED, hit.sf_id, hit.name, 1.0,
                                          "the Salesforce record already carries this ACE id"))
            continue
        ranked = sorted(((score(ace, c, rules), c) for c in free), key=lambda pair: -pair[0])
        if not ranked:
            decisions.append(LinkDecision(ace_id, title, Decision.NO_CANDIDATE, reason="no unlinked Salesforce record"))
            continue
        best_score, best = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if best_score < rules.min_score:
            decision, reason = Decision.LOW_SCORE, f"best score {best_score:.2f} is under {rules.min_score:.2f}"
        elif best_score - runner_up < rules.tie_margin:
            decision = Decision.TIE
            reason = f"{ranked[1][1].sf_id} scores {runner_up:.2f}, within {rules.tie_margin:.2f} of the best"
        else:
            decision, reason = Decision.MATCHED, f"score {best_score:.2f}, next best {runner_up:.2f}"
        decisions.append(LinkDecision(ace_id, title, decision, best.sf_id, best.name, round(best_score, 3), reason))
    return _flag_conflicts(decisions)


def _flag_conflicts(decisions: list[LinkDecision]) -> list[LinkDecision]:
    """A Salesforce record proposed for two ACE opportunities is linked to neither without a human."""
    chosen: dict[str, list[str]] = {}
    for d in decisions:
        if d.decision is Decision.MATCHED and d.sf_id:
            chosen.setdefault(d.sf_id, []).append(d.ace_id)
    result = []
    for d in decisions:
        others = [a for a in chosen.get(d.sf_id or "", []) if a != d.ace_id]
        if d.decision is Decision.MATCHED and others:
            d = LinkDecision(d.ace_id, d.ace_title, Decision.CONFLICT, d.sf_id, d.sf_name, d.score,
                             f"{d.sf_id} is also the best match of {', '.join(others)}")
        result.append(d)
    return result
