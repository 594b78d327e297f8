"""SOQL: the parser shared by the org emulator and the mapping loader, plus safe literals.

Pure Python with no I/O: a lexer, a recursive-descent parser producing the
dataclasses in ``connector.soql.nodes``, and helpers that turn Python values
into SOQL literals.

    query = parse_soql("SELECT Id, Account.Name FROM Opportunity WHERE StageName = 'Closed Won'")
    condition = parse_where("Ext__c != null AND LeadSource = 'AWS'")
    soql = f"SELECT Id FROM Lead WHERE Email = {soql_literal(email)}"
"""

from connector.soql.errors import SoqlError
from connector.soql.literals import escape_soql_like, escape_soql_string, soql_literal
from connector.soql.nodes import Condition, Query
from connector.soql.parser import parse_soql, parse_where

__all__ = [
    "Condition",
    "Query",
    "SoqlError",
    "escape_soql_like",
    "escape_soql_string",
    "parse_soql",
    "parse_where",
    "soql_literal",
]
