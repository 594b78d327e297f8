"""ACE reference data beyond the field catalog: postal-code rules and sample catalogs.

Loaded on first use and cached. Country names are compared through
``country_key`` because ACE's own files disagree on spacing
("Bonaire,Sint Eustatius and Saba" vs "Bonaire, Sint Eustatius and Saba",
"Saint Martin (French Part )", a double space in "Saint Helena, Ascension and
Tristan Da Cunha") and on case ("MACAO").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "AwsProduct",
    "PartnerSolution",
    "PostalCodeRule",
    "countries_without_postal_code",
    "country_key",
    "has_postal_code",
    "postal_code_rule",
    "postal_code_rules",
    "sample_aws_products",
    "sample_partner_solutions",
    "sample_product_codes",
    "sample_solution_ids",
]


@dataclass(frozen=True)
class PostalCodeRule:
    country: str  # the opportunity picklist spelling
    format: str  # ACE's notation: 9 a digit, A a letter, alternatives joined by OR
    pattern: re.Pattern[str]
    message: str  # ACE's exact error text for a code of the wrong shape

    def matches(self, postal_code: str) -> bool:
        return self.pattern.fullmatch(postal_code) is not None


@dataclass(frozen=True)
class AwsProduct:
    code: str  # what goes in `awsProducts`
    name: str
    family: str


@dataclass(frozen=True)
class PartnerSolution:
    id: str  # what goes in `solutionOffered`, "S-" + digits
    type: str
    title: str


def country_key(name: str) -> str:
    """A comparison key for country names: case, spacing and comma spacing ignored."""
    text = " ".join(name.replace(",", ", ").split()).casefold()
    return text.replace(" )", ")").replace("( ", "(")


def _read(filename: str) -> Any:
    text = resources.files("connector.ace").joinpath("data", filename).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def postal_code_rules() -> Mapping[str, PostalCodeRule]:
    """Every country with a known postal-code format, keyed by ``country_key``."""
    rules = {}
    for item in _read("postal_codes.json")["formats"]:
        rule = PostalCodeRule(country=item["country"], format=item["format"],
                              pattern=re.compile(item["pattern"]), message=item["message"])
        rules[country_key(rule.country)] = rule
    return MappingProxyType(rules)


@cache
def _without_postal_code_keys() -> frozenset[str]:
    return frozenset(country_key(c) for c in _read("postal_codes.json")["countries_without_postal_code"])


@cache
def countries_without_postal_code() -> frozenset[str]:
    """Countries (opportunity picklist spelling) that have no postal codes."""
    return frozenset(_read("postal_codes.json")["countries_without_postal_code"])


def postal_code_rule(country: str) -> PostalCodeRule | None:
    """The format rule of ``country``, or None when ACE checks no format for it."""
    return postal_code_rules().get(country_key(country))


def has_postal_code(country: str) -> bool:
    """False for the countries ACE lists as having no postal codes."""
    return country_key(country) not in _without_postal_code_keys()


@cache
def sample_aws_products() -> tuple[AwsProduct, ...]:
    """A sample of AWS's product list (the simulator's default catalog)."""
    return tuple(AwsProduct(**item) for item in _read("sample_partner_catalog.json")["aws_products"])


@cache
def sample_product_codes() -> frozenset[str]:
    return frozenset(p.code for p in sample_aws_products())


@cache
def sample_partner_solutions() -> tuple[PartnerSolution, ...]:
    """Sample partner solutions (the simulator's default partner offers these)."""
    return tuple(PartnerSolution(**item) for item in _read("sample_partner_catalog.json")["partner_solutions"])


@cache
def sample_solution_ids() -> frozenset[str]:
    return frozenset(s.id for s in sample_partner_solutions())
