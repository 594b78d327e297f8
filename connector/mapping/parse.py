"""Turn a YAML node tree into a ``MappingSpec``: shapes, keys and words, with positions.

This layer knows the language's grammar (which keys exist, which words a key
accepts, what is a list and what is text); what the words mean for ACE and
Salesforce is checked afterwards in ``checks.py``. Every problem is collected,
none stops the others from being found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from connector.errors import MappingError
from connector.mapping.spec import (
    MAPPING_VERSION, SYNC_FIELD_KEYS, FieldRule, Flow, MappingSpec, Masked, Nulls, TransformRef,
    Unmapped, ValuePair,
)
from connector.mapping.yamlnodes import Location, Node
from connector.soql import SoqlError, parse_where

TOP_KEYS = ("version", "entity", "salesforce_object", "identity", "send_when", "sync_fields",
            "fields", "description")
IDENTITY_KEYS = ("ace_id", "partner_key")
RULE_KEYS = ("ace", "salesforce", "direction", "transform", "values", "unmapped", "default",
             "nulls", "masked", "description")
PAIR_KEYS = ("salesforce", "ace")
ENTITIES = ("opportunity", "lead")

#: A Salesforce API name, or a parent path of them (``Account.Name``, ``Owner__r.Email``).
SALESFORCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SALESFORCE_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")

_E = TypeVar("_E", bound=StrEnum)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {choice.lower(): choice for choice in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Reader:
    def __init__(self, file: str, source: str) -> None:
        self.file = file
        self.source_lines = source.splitlines()
        self.errors: list[MappingError] = []
        #: (id of a mapping node, key) pairs an unknown key there was probably meant to be
        self._misspelled: set[tuple[int, str]] = set()

    def fail(self, at: Location, message: str) -> None:
        self.errors.append(at.error(message))

    # --- shapes -------------------------------------------------------------------------

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        if not node.is_mapping:
            self.fail(node.at, f"{what} must be a mapping (key: value pairs), not {node.describe()}")
            return None
        for key, key_node in node.keys.items():
            if key not in allowed:
                self._misspelled.update((id(node), close) for close in
                                        difflib.get_close_matches(key, allowed, n=1, cutoff=0.6))
                self.fail(key_node.at, f"unknown key {key!r} in {what}{did_you_mean(key, allowed)}; "
                                       f"allowed: {', '.join(allowed)}")
        return {key: child for key, child in node.value.items() if key in allowed}

    def text(self, node: Node, what: str) -> str | None:
        if not node.is_scalar or not isinstance(node.value, str) or not node.value.strip():
            self.fail(node.at, f"{what} must be text, not {node.describe()}")
            return None
        return node.value.strip()

    def salesforce_name(self, node: Node, what: str, *, allow_path: bool = False) -> str | None:
        name = self.text(node, what)
        if name is None:
            return None
        pattern = SALESFORCE_PATH if allow_path else SALESFORCE_NAME
        if not pattern.match(name):
            shape = "a field API name or a parent path like Account.Name" if allow_path \
                else "an API name (letters, digits and _ only)"
            self.fail(node.at, f"{what} {name!r} is not {shape}")
            return None
        return name

    def word(self, node: Node, what: str, enum: type[_E]) -> _E | None:
        choices = [member.value for member in enum]
        if not node.is_scalar or not isinstance(node.value, str):
            self.fail(node.at, f"{what} must be one of {', '.join(choices)}, not {node.describe()}")
            return None
        try:
            return enum(node.value)
        except ValueError:
            self.fail(node.at, f"{what} {node.value!r} is not one of {', '.join(choices)}"
                               f"{did_you_mean(node.value, choices)}")
            return None

    @staticmethod
    def plain_value(node: Node) -> Any:
        """A default or constant: a scalar, or a list of scalars (arrays)."""
        return node.to_python()

    def required(self, items: dict[str, Node], key: str, parent: Node, what: str) -> Node | None:
        if key not in items:
            if (id(parent), key) not in self._misspelled:  # already reported as a misspelling
                self.fail(parent.at, f"{what} needs '{key}:'")
            return None
        return items[key]

    # --- the document -------------------------------------------------------------------

    def document(self, root: Node) -> MappingSpec | None:
        items = self.mapping(root, "a mapping file", TOP_KEYS)
        if items is None:
            return None
        key_at = {key: node.at for key, node in items.items()}
        version = self._version(items, root)
        entity = None
        if (node := self.required(items, "entity", root, "a mapping file")) is not None:
            entity = self.text(node, "entity")
            if entity is not None and entity not in ENTITIES:
                self.fail(node.at, f"entity {entity!r} is not one of {', '.join(ENTITIES)}"
                                   f"{did_you_mean(entity, ENTITIES)}")
                entity = None
        sobject = None
        if (node := self.required(items, "salesforce_object", root, "a mapping file")) is not None:
            sobject = self.salesforce_name(node, "salesforce_object")
        ace_id, partner_key = self._identity(items, root, key_at)
        send_when = self._send_when(items.get("send_when"))
        sync_fields = self._sync_fields(items, root, key_at)
        rules = self._rules(items, root)
        if None in (version, entity, sobject, ace_id, partner_key, sync_fields, rules):
            return None
        return MappingSpec(file=self.file, at=root.at, version=version, entity=entity,
                           salesforce_object=sobject, ace_id_field=ace_id,
                           partner_key_field=partner_key, send_when=send_when,
                           sync_fields=sync_fields, rules=tuple(rules), key_at=key_at)

    def _version(self, items: dict[str, Node], root: Node) -> int | None:
        node = self.required(items, "version", root, "a mapping file")
        if node is None:
            return None
        if node.value != MAPPING_VERSION or isinstance(node.value, bool):
            self.fail(node.at, f"version {node.value!r} is not supported; this connector reads "
                               f"version: {MAPPING_VERSION}")
            return None
        return MAPPING_VERSION

    def _identity(self, items: dict[str, Node], root: Node,
                  key_at: dict[str, Location]) -> tuple[str | None, str | None]:
        node = self.required(items, "identity", root, "a mapping file")
        if node is None:
            return None, None
        identity = self.mapping(node, "identity", IDENTITY_KEYS)
        if identity is None:
            return None, None
        ace_id = None
        if (id_node := self.required(identity, "ace_id", node, "identity")) is not None:
            ace_id = self.salesforce_name(id_node, "identity.ace_id")
            key_at["identity.ace_id"] = id_node.at
        partner_key = "Id"
        if "partner_key" in identity:
            partner_key = self.salesforce_name(identity["partner_key"], "identity.partner_key")
            key_at["identity.partner_key"] = identity["partner_key"].at
        return ace_id, partner_key

    def _sync_fields(self, items: dict[str, Node], root: Node,
                     key_at: dict[str, Location]) -> dict[str, str] | None:
        node = self.required(items, "sync_fields", root, "a mapping file")
        if node is None:
            return None
        sync = self.mapping(node, "sync_fields", SYNC_FIELD_KEYS)
        if sync is None:
            return None
        names: dict[str, str] = {}
        for key in SYNC_FIELD_KEYS:
            if (child := self.required(sync, key, node, "sync_fields")) is None:
                continue
            key_at[f"sync_fields.{key}"] = child.at
            if (name := self.salesforce_name(child, f"sync_fields.{key}")) is not None:
                names[key] = name
        return names if len(names) == len(SYNC_FIELD_KEYS) else None

    def _send_when(self, node: Node | None) -> str | None:
        if node is None or node.value is None:
            return None
        text = self.text(node, "send_when")
        if text is None:
            return None
        try:
            parse_where(node.value)
        except SoqlError as exc:
            self.fail(self._soql_location(node, exc), f"send_when is not a valid SOQL condition: {exc.detail}")
        return text

    def _soql_location(self, node: Node, exc: SoqlError) -> Location:
        """Where in the file the SOQL error points (the text may span lines)."""
        row, column = exc.row or 1, exc.column or 1
        if node.style in ("|", ">"):  # block scalar: the text starts on the next line
            line = node.at.line + row
            source = self.source_lines[line - 1] if line - 1 < len(self.source_lines) else ""
            indent = len(source) - len(source.lstrip(" "))
            return Location(self.file, line, indent + column)
        quote = 1 if node.style in ("'", '"') else 0
        if row == 1:
            return Location(self.file, node.at.line, node.at.column + quote + column - 1)
        return Location(self.file, node.at.line + row - 1, column)

    # --- field rules ----------------------------------------------------------------------

    def _rules(self, items: dict[str, Node], root: Node) -> list[FieldRule] | None:
        node = self.required(items, "fields", root, "a mapping file")
        if node is None:
            return None
        if node.is_scalar and node.value is None:
            return []  # "fields:" with nothing under it yet
        if not node.is_sequence:
            self.fail(node.at, f"fields must be a list of field rules ('- ace: ...'), not {node.describe()}")
            return None
        rules = [self._rule(child) for child in node.value]
        return [rule for rule in rules if rule is not None]

    def _rule(self, node: Node) -> FieldRule | None:
        items = self.mapping(node, "a field rule", RULE_KEYS)
        if items is None:
            return None
        errors_before = len(self.errors)
        key_at = {key: child.at for key, child in items.items()}
        direction = None
        if (child := self.required(items, "direction", node, "a field rule")) is not None:
            direction = self.word(child, "direction", Flow)
        ace = self.text(items["ace"], "ace") if "ace" in items else None
        salesforce = self._salesforce_fields(items.get("salesforce"))
        transform = self._transform(items["transform"]) if "transform" in items else None
        values = self._values(items["values"]) if "values" in items else None
        unmapped = self.word(items["unmapped"], "unmapped", Unmapped) if "unmapped" in items else Unmapped.ERROR
        nulls_ace, nulls_salesforce = self._nulls(items["nulls"], direction) if "nulls" in items else (None, None)
        masked = self.word(items["masked"], "masked", Masked) if "masked" in items else Masked.KEEP
        default_ace, default_salesforce = self._default(items.get("default"), direction)
        if ace is None and "ace" not in items and not salesforce:
            self.fail(node.at, "a field rule needs 'ace:' (the ACE field) and 'salesforce:' (the Salesforce field)")
        if len(self.errors) > errors_before or direction is None:
            return None
        return FieldRule(at=node.at, direction=direction, ace=ace, salesforce=salesforce,
                         transform=transform, values=values, unmapped=unmapped,
                         default_ace=default_ace, default_salesforce=default_salesforce,
                         nulls_ace=nulls_ace, nulls_salesforce=nulls_salesforce, masked=masked, key_at=key_at)

    def _salesforce_fields(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        if node.is_sequence:
            names = [self.salesforce_name(child, "salesforce", allow_path=True) for child in node.value]
            return tuple(name for name in names if name is not None)
        name = self.salesforce_name(node, "salesforce", allow_path=True)
        return (name,) if name is not None else ()

    def _transform(self, node: Node) -> TransformRef | None:
        if node.is_scalar:
            name = self.text(node, "transform")
            return TransformRef(name=name, params={}, at=node.at) if name else None
        if not node.is_mapping:
            self.fail(node.at, f"transform must be a name or a mapping with 'name:', not {node.describe()}")
            return None
        if "name" not in node.value:
            self.fail(node.at, "transform needs 'name:' (e.g. name: truncate)")
            return None
        name = self.text(node.value["name"], "transform name")
        params = {key: child.to_python() for key, child in node.value.items() if key != "name"}
        param_at = {key: node.keys[key].at for key in params}
        return TransformRef(name=name, params=params, at=node.value["name"].at, param_at=param_at) \
            if name else None

    def _values(self, node: Node) -> tuple[ValuePair, ...] | None:
        if not node.is_sequence:
            self.fail(node.at, "values must be a list of pairs like '- {salesforce: Closed Won, ace: Launched}', "
                               f"not {node.describe()}")
            return None
        pairs = []
        for child in node.value:
            items = self.mapping(child, "a value pair", PAIR_KEYS)
            if items is None:
                continue
            sides = {}
            for side in PAIR_KEYS:
                if (value := self.required(items, side, child, "a value pair")) is None:
                    continue
                if not value.is_scalar or value.value is None or isinstance(value.value, (list, dict)):
                    self.fail(value.at, f"{side} must be a single value, not {value.describe()}")
                    continue
                sides[side] = value.value if isinstance(value.value, str) else value.raw
            if len(sides) == 2:
                pairs.append(ValuePair(salesforce=sides["salesforce"], ace=sides["ace"], at=child.at))
        return tuple(pairs)

    def _nulls(self, node: Node, direction: Flow | None) -> tuple[Nulls | None, Nulls | None]:
        """``nulls: clear`` (each side the rule writes) or ``nulls: {ace: clear, salesforce: keep}``."""
        if not node.is_mapping:
            word = self.word(node, "nulls", Nulls)
            return (word if direction is None or direction.writes_ace else None,
                    word if direction is None or direction.writes_salesforce else None)
        items = self.mapping(node, "nulls", PAIR_KEYS)
        if items is None:
            return None, None
        return (self.word(items["ace"], "nulls.ace", Nulls) if "ace" in items else None,
                self.word(items["salesforce"], "nulls.salesforce", Nulls) if "salesforce" in items else None)

    def _default(self, node: Node | None, direction: Flow | None) -> tuple[Any, Any]:
        """``default: X`` (one-way rules) or ``default: {ace: X, salesforce: Y}``."""
        if node is None:
            return None, None
        if node.is_mapping:
            items = self.mapping(node, "default", PAIR_KEYS)
            if items is None:
                return None, None
            return (items["ace"].to_python() if "ace" in items else None,
                    items["salesforce"].to_python() if "salesforce" in items else None)
        value = self.plain_value(node)
        if direction is Flow.TO_SALESFORCE:
            return None, value
        if direction is Flow.TO_ACE:
            return value, None
        if direction is Flow.BOTH:
            self.fail(node.at, "a rule with direction: both needs its default per side: "
                               "default: {ace: ..., salesforce: ...}")
        return None, None


def parse_spec(root: Node, *, file: str, source: str) -> tuple[MappingSpec | None, list[MappingError]]:
    reader = _Reader(file, source)
    spec = reader.document(root)
    return spec, reader.errors
