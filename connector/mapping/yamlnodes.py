"""Read a mapping file's YAML safely, keeping the line and column of every value.

The text is composed into PyYAML's node tree with ``yaml.SafeLoader`` and then
walked by hand, so that:

* only plain values are ever built (strings, numbers, booleans, null, lists,
  mappings): a tag that would construct an object (``!!python/object``, any
  custom ``!tag``) is refused with its position, never executed;
* every value keeps where it was written, for ``file:line:col: message`` errors;
* a key written twice in one mapping is an error (PyYAML keeps the last one silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from connector.errors import MappingError

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
#: Dates written unquoted (``default: 2024-01-31``) stay text: mappings speak ACE's text formats.
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp"}
#: Only true/false are booleans, as in YAML 1.2 (what editors use): ACE's picklist values
#: Yes and No stay text even unquoted.
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_WORDS = ("true", "false")
_MAPPING_TAG = "tag:yaml.org,2002:map"
_SEQUENCE_TAG = "tag:yaml.org,2002:seq"


@dataclass(frozen=True)
class Location:
    """Where something was written: 1-based line and column."""

    file: str
    line: int
    column: int

    def error(self, message: str) -> MappingError:
        return MappingError(message, file=self.file, line=self.line, column=self.column)


@dataclass
class Node:
    """One YAML value and where it was written.

    ``value`` is a plain Python scalar for scalars, ``dict[str, Node]`` for
    mappings (with ``keys`` holding each key's own node) and ``list[Node]`` for
    sequences.
    """

    kind: str  # "scalar" | "mapping" | "sequence"
    value: Any
    at: Location
    keys: dict[str, Node] = field(default_factory=dict)
    #: for scalars: None (plain), "'", '"', "|" or ">"
    style: str | None = None
    #: for scalars: the text exactly as written
    raw: str = ""

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def is_mapping(self) -> bool:
        return self.kind == "mapping"

    @property
    def is_sequence(self) -> bool:
        return self.kind == "sequence"

    def describe(self) -> str:
        """What the admin wrote, in words, for "expected X, found Y" messages."""
        if self.kind == "mapping":
            return "a mapping (key: value pairs)"
        if self.kind == "sequence":
            return "a list"
        if self.value is None:
            return "nothing (null)"
        if isinstance(self.value, bool):
            return f"the boolean {'true' if self.value else 'false'}"
        if isinstance(self.value, (int, float)):
            return f"the number {self.value}"
        return f"the text {self.value!r}"

    def to_python(self) -> Any:
        """The plain value, positions dropped."""
        if self.kind == "mapping":
            return {key: child.to_python() for key, child in self.value.items()}
        if self.kind == "sequence":
            return [child.to_python() for child in self.value]
        return self.value


def _location(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def _syntax_error(file: str, exc: yaml.YAMLError) -> MappingError:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        problem = exc.problem or "invalid YAML"
        if "'\\t'" in problem:
            problem += " (indent with spaces, not tabs)"
        context = f" ({exc.context})" if exc.context else ""
        at = _location(file, exc.problem_mark)
        return at.error(f"YAML syntax error: {problem}{context}")
    return MappingError(f"YAML syntax error: {exc}", file=file)


class _Walker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[MappingError] = []
        self._constructor = SafeConstructor()

    def walk(self, node: yaml.Node) -> Node | None:
        at = _location(self.file, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, at)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAPPING_TAG:
                return self._refuse(node.tag, at)
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQUENCE_TAG:
                return self._refuse(node.tag, at)
            children = [self.walk(child) for child in node.value]
            return Node("sequence", [child for child in children if child is not None], at)
        return self._refuse(str(node.tag), at)  # pragma: no cover - PyYAML has only three kinds

    def _refuse(self, tag: str, at: Location) -> None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        self.errors.append(at.error(
            f"the YAML tag {shown} is not allowed: mapping files hold plain values only "
            "(text, numbers, true/false, lists and key: value mappings)"))
        return None

    def _scalar(self, node: yaml.ScalarNode, at: Location) -> Node | None:
        if node.tag in _TEXT_TAGS or (node.tag == _BOOL_TAG and node.value.lower() not in _BOOL_WORDS):
            return Node("scalar", node.value, at, style=node.style, raw=node.value)
        if node.tag not in _SCALAR_TAGS:
            return self._refuse(node.tag, at)
        value = self._constructor.construct_object(node, deep=True)
        return Node("scalar", value, at, style=node.style, raw=node.value)

    def _mapping(self, node: yaml.MappingNode, at: Location) -> Node:
        children: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_at = _location(self.file, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.errors.append(key_at.error("merge keys ('<<') are not supported: write each key out"))
                continue
            key = self.walk(key_node)
            if key is None:
                continue
            if not key.is_scalar or not isinstance(key.value, str):
                self.errors.append(key_at.error(f"a key must be a plain word, not {key.describe()}"))
                continue
            if key.value in children:
                first = keys[key.value].at
                self.errors.append(key_at.error(
                    f"duplicate key {key.value!r} (first written at line {first.line})"))
                continue
            value = self.walk(value_node)
            if value is not None:
                children[key.value] = value
                keys[key.value] = key
        return Node("mapping", children, at, keys=keys)


def read_yaml(text: str, *, file: str) -> tuple[Node | None, list[MappingError]]:
    """The document's node tree and every problem found; the tree is None when unusable."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_syntax_error(file, exc)]
    finally:
        loader.dispose()
    if root is None:
        return None, [MappingError("the file is empty: a mapping starts with 'version: 1'",
                                   file=file, line=1, column=1)]
    walker = _Walker(file)
    tree = walker.walk(root)
    if walker.errors:  # refused tags or repeated keys: what is left would only mislead
        return None, walker.errors
    return tree, []
