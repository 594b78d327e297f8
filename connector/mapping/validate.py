"""What ``ace-connector mappings validate`` does, without the command line around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from connector.errors import MappingError
from connector.mapping.compiler import CompiledMapping
from connector.mapping.loader import check_mapping_dir
from connector.mapping.orgcheck import Describe, check_against_org


@dataclass
class ValidationReport:
    mappings: dict[str, CompiledMapping] = field(default_factory=dict)
    errors: list[MappingError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        """One line per mapping: file, entity, object and how many fields go each way."""
        lines = []
        for entity, mapping in sorted(self.mappings.items()):
            rules = mapping.spec.rules
            to_salesforce = sum(1 for rule in rules if rule.direction.writes_salesforce)
            to_ace = sum(1 for rule in rules if rule.direction.writes_ace)
            lines.append(f"{mapping.file}: {entity} <-> {mapping.salesforce_object}, {len(rules)} rules "
                         f"({to_salesforce} to Salesforce, {to_ace} to ACE)")
        return lines


def validate_mappings(directory: str | Path, *, describe: Describe | None = None) -> ValidationReport:
    """Check every mapping in ``directory``; with ``describe``, against that org too."""
    mappings, errors = check_mapping_dir(directory)
    report = ValidationReport(mappings=mappings, errors=errors)
    if describe is not None:
        for entity in sorted(mappings):
            report.errors += check_against_org(mappings[entity], describe)
    return report
