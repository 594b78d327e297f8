"""The simulator's configuration: ACE's behaviour switches (ACE-CONTRACT §16.5) and the partner's profile.

Kept in ``config.json`` under the state folder, so that every invocation of
the simulator (``tick``, ``review``, ``serve`` …) behaves the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from connector.ace.reference_data import sample_product_codes, sample_solution_ids

PartnerType = Literal["consulting", "isv"]
ResultsPrefixStyle = Literal["processed", "plain"]
DuplicateNameBehaviour = Literal["error_result", "silent"]

DEFAULT_SPMS_ID = "1234567"
#: Partner Central users of the simulated partner; the first is the alliance lead,
#: the default owner of every opportunity the partner creates without one.
DEFAULT_USER_EMAILS = ("alliance.lead@partner.example", "sales.rep@partner.example")
DEFAULT_ALLIANCE_LEAD_NAME = "Alliance Lead"

#: ACE-CONTRACT §16.3: several records per outbound file.
DEFAULT_EXPORT_RECORDS_PER_FILE = 25
#: How long an AWS referral may wait for the partner's decision.
DEFAULT_ACCEPT_BY_DAYS = 14


@dataclass(frozen=True)
class Flags:
    """ACE behaviours where the sources disagree (ACE-CONTRACT §15, §16.5), with the stated defaults."""

    #: OC1: `solutionOffered` mandatory on create ([CSV], [UAT 7.10]).
    require_solution_on_create: bool = True
    #: OC17: `targetCloseDate` may not be in the past.
    enforce_future_close_date: bool = True
    #: §4.3: accept the `Leads` spelling of the lead array key.
    accept_capital_Leads: bool = True  # noqa: N815 - the flag's documented name
    #: §4.1: accept payload version 1 (before the v1 cut-off).
    allow_v1: bool = True
    #: §6.1: results file name is `<base><results_suffix>.json`.
    results_suffix: str = "_result"
    #: §2: `processed` → `<entity>-inbound-processed-results/`, `plain` → `<entity>-inbound-results/`.
    results_prefix_style: ResultsPrefixStyle = "processed"
    #: §5.3: answer a reused file name with an error result, or drop it silently.
    duplicate_name_behaviour: DuplicateNameBehaviour = "error_result"
    #: §1: reject inbound objects lacking the bucket owner's FULL_CONTROL grant.
    check_inbound_acl: bool = True

    def __post_init__(self) -> None:
        if self.results_prefix_style not in ("processed", "plain"):
            raise ValueError(f"results_prefix_style must be 'processed' or 'plain', "
                             f"not {self.results_prefix_style!r}")
        if self.duplicate_name_behaviour not in ("error_result", "silent"):
            raise ValueError(f"duplicate_name_behaviour must be 'error_result' or 'silent', "
                             f"not {self.duplicate_name_behaviour!r}")
        if not self.results_suffix or "/" in self.results_suffix:
            raise ValueError(f"results_suffix must be a non-empty name part, not {self.results_suffix!r}")


@dataclass(frozen=True)
class Partner:
    """The simulated partner as ACE knows it."""

    spms_id: str = DEFAULT_SPMS_ID
    partner_type: PartnerType = "consulting"
    isv_accelerate: bool = False
    special_program: bool = False
    user_emails: tuple[str, ...] = DEFAULT_USER_EMAILS
    alliance_lead_name: str = DEFAULT_ALLIANCE_LEAD_NAME
    solution_ids: tuple[str, ...] = field(default_factory=lambda: tuple(sorted(sample_solution_ids())))
    product_codes: tuple[str, ...] = field(default_factory=lambda: tuple(sorted(sample_product_codes())))

    def __post_init__(self) -> None:
        if self.partner_type not in ("consulting", "isv"):
            raise ValueError(f"partner_type must be 'consulting' or 'isv', not {self.partner_type!r}")
        if not self.user_emails:
            raise ValueError("the partner needs at least one Partner Central user e-mail")

    @property
    def alliance_lead_email(self) -> str:
        return self.user_emails[0]


@dataclass(frozen=True)
class SimulatorConfig:
    flags: Flags = field(default_factory=Flags)
    partner: Partner = field(default_factory=Partner)
    export_records_per_file: int = DEFAULT_EXPORT_RECORDS_PER_FILE
    accept_by_days: int = DEFAULT_ACCEPT_BY_DAYS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimulatorConfig:
        partner = dict(data.get("partner") or {})
        for name in ("user_emails", "solution_ids", "product_codes"):
            if name in partner:
                partner[name] = tuple(partner[name])
        top = {k: v for k, v in data.items() if k not in ("flags", "partner")}
        return cls(flags=Flags(**_known(Flags, data.get("flags") or {})),
                   partner=Partner(**_known(Partner, partner)), **_known(cls, top))

    def with_flags(self, **changes: Any) -> SimulatorConfig:
        return replace(self, flags=replace(self.flags, **changes))

    def with_partner(self, **changes: Any) -> SimulatorConfig:
        return replace(self, partner=replace(self.partner, **changes))


def _known(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """Only the keys ``cls`` has; an unknown key in a hand-edited file is an error, not silence."""
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(names))}")
    return values


FLAG_NAMES = tuple(f.name for f in fields(Flags))


def parse_flag_value(name: str, text: str) -> Any:
    """A flag value typed from the command line (``true``/``false`` for booleans)."""
    if name not in FLAG_NAMES:
        raise ValueError(f"unknown flag {name!r}; known flags: {', '.join(FLAG_NAMES)}")
    default = getattr(Flags(), name)
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "1", "on"):
            return True
        if lowered in ("false", "no", "0", "off"):
            return False
        raise ValueError(f"flag {name} takes true or false, not {text!r}")
    return text
