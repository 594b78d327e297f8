"""Go-live linking: match the opportunities ACE already holds to Salesforce records, then link them.

Before the first production sync, ACE already has the partner's open
opportunities (AWS sends the list, or the first outbound file carries them).
Each is matched to a Salesforce opportunity — first by an ACE id already on a
record, then by scored rules (account name, project title, close date,
website) — and, once a human has reviewed the plan, the ACE ids are written
onto the records and the partner keys sent to ACE, so that later syncs update
instead of creating duplicates (SPEC §7, "Go-live").
"""

from connector.golive.link import LinkPlan, apply_links, plan_links, write_csv
from connector.golive.matching import Decision, LinkDecision, MatchRules, match_opportunities
from connector.golive.sources import load_ace_opportunities, outbound_opportunities

__all__ = ["Decision", "LinkDecision", "LinkPlan", "MatchRules", "apply_links", "load_ace_opportunities",
           "match_opportunities", "outbound_opportunities", "plan_links", "write_csv"]
