"""A recursive-descent parser for the SOQL subset a sync connector uses.

    SELECT <field-list> | COUNT()  FROM <object>  [WHERE <condition>]
    [ORDER BY <field> [ASC|DESC] [NULLS FIRST|LAST] {, ...}]  [LIMIT n] [OFFSET m]

Every refusal is a ``SoqlError`` with code MALFORMED_QUERY, pointing at the
token that could not be used. The parser knows nothing about any org: whether
a field or object exists is checked when the query is compiled against a schema.
"""

from __future__ import annotations

from collections.abc import Callable

from connector.soql import nodes
from connector.soql.date_literals import DATE_LITERALS_WITH_N, FIXED_DATE_LITERALS
from connector.soql.errors import MALFORMED_QUERY, SoqlError
from connector.soql.lexer import (DATE, DATETIME, EOF, IDENT, NUMBER, OPERATOR, PUNCT, STRING,
                                  Token, tokenize)

# Words that begin a clause this subset does not support, with a hint for the message.
_UNSUPPORTED_WORDS = {
    "GROUP": "GROUP BY is not supported", "HAVING": "HAVING is not supported",
    "WITH": "WITH is not supported", "FOR": "FOR VIEW/REFERENCE/UPDATE is not supported",
    "USING": "USING SCOPE is not supported", "ALL": "ALL ROWS is not supported; use queryAll",
    "TYPEOF": "TYPEOF is not supported",
}
_VALUE_WORDS = {"TRUE": True, "FALSE": False}


def parse_soql(text: str) -> nodes.Query:
    """Parse a whole SOQL query. Raises ``SoqlError`` (MALFORMED_QUERY) on any syntax error."""
    return _Parser(text).query()


def parse_where(text: str) -> nodes.Condition:
    """Parse a WHERE condition on its own (without the ``WHERE`` keyword)."""
    parser = _Parser(text)
    condition = parser.condition()
    parser.expect_end()
    return condition


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # --- token helpers -----------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def accept_word(self, *words: str) -> Token | None:
        return self.advance() if self.current.is_word(*words) else None

    def accept_punct(self, char: str) -> bool:
        if self.current.kind == PUNCT and self.current.text == char:
            self.advance()
            return True
        return False

    def expect_word(self, word: str, *, expected: str | None = None) -> Token:
        if not self.current.is_word(word):
            raise self.unexpected(expected or word)
        return self.advance()

    def expect_punct(self, char: str, *, expected: str | None = None) -> None:
        if not self.accept_punct(char):
            raise self.unexpected(expected or f"'{char}'")

    def expect_end(self) -> None:
        if self.current.kind != EOF:
            raise self.unexpected("the end of the query")

    def unexpected(self, expected: str, token: Token | None = None) -> SoqlError:
        token = token or self.current
        detail = f"unexpected token: '{token.describe()}'"
        if token.kind == IDENT and token.text.upper() in _UNSUPPORTED_WORDS:
            detail += f" ({_UNSUPPORTED_WORDS[token.text.upper()]})"
        return self.error(f"{detail}; expected {expected}", token)

    def error(self, detail: str, token: Token) -> SoqlError:
        return SoqlError.at(MALFORMED_QUERY, detail, text=self.text, position=token.position)

    # --- query ------------------------------------------------------------------------

    def query(self) -> nodes.Query:
        self.expect_word("SELECT")
        fields, count_only = self.select_list()
        self.expect_word("FROM", expected="',' or FROM")
        object_token = self.identifier("an object name")
        where = self.condition() if self.accept_word("WHERE") else None
        order_by = self.order_by() if self.accept_word("ORDER") else ()
        limit = self.non_negative_int("LIMIT") if self.accept_word("LIMIT") else None
        offset = self.non_negative_int("OFFSET") if self.accept_word("OFFSET") else None
        self.expect_end()
        return nodes.Query(object_name=object_token.text, fields=fields, count_only=count_only,
                           where=where, order_by=order_by, limit=limit, offset=offset,
                           text=self.text, object_position=object_token.position)

    def select_list(self) -> tuple[tuple[nodes.FieldPath, ...], bool]:
        if self.current.is_word("COUNT") and self.tokens[self.index + 1].text == "(":
            count = self.advance()
            self.advance()
            if not self.accept_punct(")"):
                raise self.error("COUNT(field) and other aggregate functions are not supported; "
                                 "use COUNT()", self.current)
            if self.current.text == ",":
                raise self.error("COUNT() must be the only item in the select list", count)
            return (), True
        fields: list[nodes.FieldPath] = []
        seen: set[tuple[str, ...]] = set()
        while True:
            if self.current.text == "(":
                raise self.error("subqueries in the select list are not supported", self.current)
            path = self.field_path()
            if self.current.text == "(":
                raise self.error(f"functions such as {path.text}() are not supported",
                                 self.tokens[self.index - 1])
            if path.folded in seen:
                raise SoqlError.at(MALFORMED_QUERY, f"duplicate field selected: {path.text}",
                                   text=self.text, position=path.position)
            seen.add(path.folded)
            fields.append(path)
            if not self.accept_punct(","):
                return tuple(fields), False

    def identifier(self, expected: str) -> Token:
        if self.current.kind != IDENT:
            raise self.unexpected(expected)
        return self.advance()

    def field_path(self) -> nodes.FieldPath:
        first = self.identifier("a field name")
        parts = [first.text]
        while self.accept_punct("."):
            parts.append(self.identifier("a field name after '.'").text)
        return nodes.FieldPath(tuple(parts), position=first.position)

    def non_negative_int(self, clause: str) -> int:
        token = self.current
        if token.kind != NUMBER or not token.text.isdigit():
            raise self.unexpected(f"a whole number after {clause}")
        self.advance()
        return int(token.text)

    def order_by(self) -> tuple[nodes.OrderItem, ...]:
        self.expect_word("BY")
        items = []
        while True:
            path = self.field_path()
            direction = self.accept_word("ASC", "DESC")
            descending = direction is not None and direction.is_word("DESC")
            nulls_last = False
            if self.accept_word("NULLS"):
                if not self.current.is_word("FIRST", "LAST"):
                    raise self.unexpected("FIRST or LAST after NULLS")
                nulls_last = self.advance().is_word("LAST")
            items.append(nodes.OrderItem(path, descending=descending, nulls_last=nulls_last))
            if not self.accept_punct(","):
                return tuple(items)

    # --- conditions ----------------------------------------------------------------------

    def condition(self) -> nodes.Condition:
        """A chain of one logical operator; mixing AND and OR needs parentheses."""
        first = self.unary()
        joiner = self.current if self.current.is_word("AND", "OR") else None
        if joiner is None:
            return first
        word = joiner.text.upper()
        operands = [first]
        while self.accept_word(word):
            operands.append(self.unary())
        if self.current.is_word("AND", "OR"):
            raise self.error(f"unexpected token: '{self.current.text}' (AND and OR cannot be "
                             "mixed at one level; add parentheses)", self.current)
        return (nodes.And if word == "AND" else nodes.Or)(tuple(operands))

    def unary(self) -> nodes.Condition:
        if self.accept_word("NOT"):
            return nodes.Not(self.unary())
        if self.accept_punct("("):
            if self.current.is_word("SELECT"):
                raise self.error("subqueries are not supported", self.current)
            inner = self.condition()
            self.expect_punct(")", expected="')', AND or OR")
            return inner
        return self.comparison()

    def comparison(self) -> nodes.Comparison:
        path = self.field_path()
        operator_token = self.current
        if operator_token.kind == OPERATOR:
            self.advance()
            operator = operator_token.value
            value = self.value()
            if isinstance(value, nodes.NullValue) and operator in nodes.ORDERING_OPERATORS:
                raise self.error(f"null can only be compared with = or !=, not {operator}",
                                 operator_token)
        elif self.accept_word("LIKE"):
            operator, value = nodes.LIKE, self.value()
            if not isinstance(value, nodes.StringValue):
                raise self.error("LIKE takes a quoted string pattern", operator_token)
        elif operator_token.is_word("IN", "INCLUDES", "EXCLUDES", "NOT"):
            operator = self.advance().text.upper()
            if operator == "NOT":
                self.expect_word("IN", expected="IN after NOT")
                operator = nodes.NOT_IN
            value = self.value_list(operator)
        else:
            raise self.unexpected("a comparison operator (= != < <= > >= LIKE IN NOT IN "
                                  "INCLUDES EXCLUDES)")
        return nodes.Comparison(path, operator, value, position=operator_token.position)

    def value_list(self, operator: str) -> tuple[nodes.Value, ...]:
        self.expect_punct("(", expected=f"'(' after {operator}")
        if self.current.is_word("SELECT"):
            raise self.error("semi-join subqueries are not supported", self.current)
        values = [self.value()]
        while self.accept_punct(","):
            values.append(self.value())
        self.expect_punct(")", expected="',' or ')'")
        if operator in (nodes.INCLUDES, nodes.EXCLUDES):
            for value in values:
                if not isinstance(value, nodes.StringValue):
                    raise SoqlError.at(MALFORMED_QUERY, f"{operator} takes quoted strings",
                                       text=self.text, position=value.position)
        return tuple(values)

    def value(self) -> nodes.Value:
        token = self.current
        build = self._VALUE_BUILDERS.get(token.kind)
        if build is not None:
            self.advance()
            return build(token)
        if token.kind == IDENT:
            return self.word_value()
        if token.kind == PUNCT and token.text == ":":
            raise self.error("bind variables (:name) exist only in Apex", token)
        raise self.unexpected("a value")

    _VALUE_BUILDERS: dict[str, Callable[[Token], nodes.Value]] = {
        STRING: lambda t: nodes.StringValue(t.value[0], like_pattern=t.value[1], position=t.position),
        NUMBER: lambda t: nodes.NumberValue(t.value, position=t.position),
        DATE: lambda t: nodes.DateValue(t.value, position=t.position),
        DATETIME: lambda t: nodes.DateTimeValue(t.value, position=t.position),
    }

    def word_value(self) -> nodes.Value:
        token = self.advance()
        upper = token.text.upper()
        if upper in _VALUE_WORDS:
            return nodes.BooleanValue(_VALUE_WORDS[upper], position=token.position)
        if upper == "NULL":
            return nodes.NullValue(position=token.position)
        if upper in FIXED_DATE_LITERALS:
            if self.current.text == ":":
                raise self.error(f"date literal {upper} takes no number", self.current)
            return nodes.DateLiteral(upper, position=token.position)
        if upper in DATE_LITERALS_WITH_N:
            self.expect_punct(":", expected=f"':' and a number after {upper}")
            return nodes.DateLiteral(upper, self.non_negative_int(upper), position=token.position)
        raise self.error(f"unexpected token: '{token.text}'; expected a value (strings take "
                         "single quotes; date literals are TODAY, LAST_N_DAYS:n, THIS_MONTH…)",
                         token)
