"""The reference docs and the code agree: every cited section exists, every ACE rule is documented.

Code and docs cite ``ACE-CONTRACT §N`` (docs/ACE-CONTRACT.md) and
``SALESFORCE-API §N`` (docs/SALESFORCE-API.md). A section exists when the doc
has a heading numbered ``N`` (``## 5.`` / ``### 5.4``) or a list item labelled
``**N**`` (``- **11.2** …``). A chain such as ``ACE-CONTRACT §5.4, §6`` or a
range such as ``§11.2-4`` or ``§7-§11`` cites every section it names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.ace.rules import rule_ids

#: The cited name of each reference doc, and its path in the repository.
DOCS = {"ACE-CONTRACT": "docs/ACE-CONTRACT.md", "SALESFORCE-API": "docs/SALESFORCE-API.md"}
#: Top-level sections each doc must have, numbered 1..N in order.
TOP_LEVEL_SECTION_COUNTS = {"ACE-CONTRACT": 16, "SALESFORCE-API": 15}
#: Files that can hold a citation; data files and binaries cannot.
SCANNED_SUFFIXES = frozenset({".py", ".md", ".rst", ".txt", ".yaml", ".yml", ".toml", ".cfg", ".ini"})
#: Folders that are not the project's own text (environments, caches, build output).
SKIPPED_DIR_NAMES = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist",
                               ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache"})

_NUMBER = r"\d+(?:\.\d+)*"
_ONE_CITATION = rf"§\s?{_NUMBER}(?:[-–]§?{_NUMBER})?"
_JOINER = r"(?:\s*,\s*|\s*/\s*|\s+and\s+|\s+or\s+)"
_CITATION_RE = re.compile(rf"\b({'|'.join(map(re.escape, DOCS))}) ({_ONE_CITATION}(?:{_JOINER}{_ONE_CITATION})*)")
_SECTION_IN_CHAIN_RE = re.compile(rf"§\s?({_NUMBER})(?:[-–]§?({_NUMBER}))?")
_HEADING_RE = re.compile(rf"^#{{2,6}}\s+({_NUMBER})\.?\s", re.MULTILINE)
_LABEL_RE = re.compile(rf"^\s*(?:[-*]\s+)?\*\*({_NUMBER})\*\*", re.MULTILINE)


def sections_of(text: str) -> set[str]:
    """The section numbers a doc defines, by heading or by ``**N.M**`` label."""
    return set(_HEADING_RE.findall(text)) | set(_LABEL_RE.findall(text))


def _expand(first: str, last: str | None) -> list[str]:
    """``11.2`` .. ``4`` (or ``11.4``) → ``11.2``, ``11.3``, ``11.4``."""
    if not last:
        return [first]
    head, _, start = first.rpartition(".")
    end = last.rpartition(".")[2]
    if not (start.isdigit() and end.isdigit()) or int(end) < int(start):
        return [first, last]  # not a range we can walk: check both ends as written
    return [f"{head}.{n}" if head else str(n) for n in range(int(start), int(end) + 1)]


def citations_in(text: str) -> Iterator[tuple[str, str, int]]:
    """(doc name, section, line number) for every section cited in ``text``."""
    for match in _CITATION_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        for first, last in _SECTION_IN_CHAIN_RE.findall(match.group(2)):
            for section in _expand(first, last):
                yield match.group(1), section, line


def project_text_files(root: Path) -> Iterator[Path]:
    for folder, dir_names, file_names in os.walk(root):
        # Prune in place so the walk never enters environments or caches.
        dir_names[:] = sorted(d for d in dir_names if d not in SKIPPED_DIR_NAMES and not d.endswith(".egg-info"))
        for name in sorted(file_names):
            if Path(name).suffix in SCANNED_SUFFIXES:
                yield Path(folder, name)


def broken_citations(root: Path, doc_sections: dict[str, set[str]]) -> list[str]:
    problems = []
    for path in project_text_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        for doc, section, line in citations_in(text):
            if section not in doc_sections[doc]:
                problems.append(f"{path.relative_to(root)}:{line}: {doc} §{section} does not exist in {DOCS[doc]}")
    return problems


@pytest.fixture(scope="module")
def doc_texts(repo_root: Path) -> dict[str, str]:
    return {name: (repo_root / path).read_text(encoding="utf-8") for name, path in DOCS.items()}


@pytest.fixture(scope="module")
def doc_sections(doc_texts: dict[str, str]) -> dict[str, set[str]]:
    return {name: sections_of(text) for name, text in doc_texts.items()}


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_each_doc_has_its_numbered_top_level_sections_in_order(doc: str, doc_texts: dict[str, str]) -> None:
    top_level = re.findall(r"^## (\d+)\. ", doc_texts[doc], re.MULTILINE)
    assert top_level == [str(n) for n in range(1, TOP_LEVEL_SECTION_COUNTS[doc] + 1)]


def test_every_cited_section_exists(repo_root: Path, doc_sections: dict[str, set[str]]) -> None:
    problems = broken_citations(repo_root, doc_sections)
    assert not problems, "\n".join(problems)


def test_the_repository_cites_both_docs(repo_root: Path) -> None:
    """Guards the scan itself: a pattern that matched nothing would pass the test above vacuously."""
    cited = {doc for path in project_text_files(repo_root)
             for doc, _, _ in citations_in(path.read_text(encoding="utf-8", errors="replace"))}
    assert cited == set(DOCS)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_references_inside_a_doc_name_its_own_sections(doc: str, doc_texts: dict[str, str],
                                                      doc_sections: dict[str, set[str]]) -> None:
    """A bare ``§N`` inside a doc means that doc (a citation of the other one names it)."""
    other_names = "|".join(re.escape(name) for name in DOCS)
    text = re.sub(rf"\b(?:{other_names}) {_ONE_CITATION}(?:{_JOINER}{_ONE_CITATION})*", "", doc_texts[doc])
    missing = sorted({section for first, last in _SECTION_IN_CHAIN_RE.findall(text)
                      for section in _expand(first, last)} - doc_sections[doc])
    assert not missing, f"{DOCS[doc]} refers to sections it does not have: {missing}"


def test_every_registered_rule_is_documented_in_the_validation_section(doc_texts: dict[str, str]) -> None:
    validation = doc_texts["ACE-CONTRACT"].split("\n## 10. ", 1)[1].split("\n## 11. ", 1)[0]
    undocumented = sorted(rule for rule in rule_ids() if f"**{rule}**" not in validation)
    assert not undocumented, f"rules missing from docs/ACE-CONTRACT.md §10: {undocumented}"


def test_a_citation_of_a_missing_section_is_reported(tmp_path: Path) -> None:
    ace, salesforce = DOCS  # built here so that this file's own text cites nothing
    (tmp_path / "module.py").write_text(
        f'"""Results ({ace} §6.2, §6.9) and paging ({salesforce} §12)."""\n'
        f"# outbound ({ace} §11.2-4), inbound ({ace} §7-§9)\n", encoding="utf-8")
    problems = broken_citations(tmp_path, {"ACE-CONTRACT": {"6.2", "11.2", "11.4", "7", "9"},
                                           "SALESFORCE-API": {"12"}})
    assert problems == [
        f"module.py:1: {ace} §6.9 does not exist in docs/ACE-CONTRACT.md",
        f"module.py:2: {ace} §11.3 does not exist in docs/ACE-CONTRACT.md",
        f"module.py:2: {ace} §8 does not exist in docs/ACE-CONTRACT.md",
    ]


def test_sections_come_from_headings_and_item_labels_only() -> None:
    text = "## 9. Leads\n\n- **9.1** shared\n\n### 9.2 Decisions\n\nSee §9.7 and **OC1** (UAT 7.10).\n"
    assert sections_of(text) == {"9", "9.1", "9.2"}
