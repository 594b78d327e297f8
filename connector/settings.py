"""Every knob of the connector, read from environment variables (and `.env`).

Field names are the lower-case environment variable names: ``ace_bucket`` is
``ACE_BUCKET``. Secrets are ``SecretStr`` so that printing settings, logging
them or putting them in an error never shows the value.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: ACE refuses inbound files over 1 MB (ACE-CONTRACT §5.2).
ACE_INBOUND_MAX_BYTES = 1_000_000
#: ACE refuses inbound files with more than 50 records (ACE-CONTRACT §5.2).
ACE_INBOUND_MAX_RECORDS = 50


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # --- ACE bucket -----------------------------------------------------------------
    ace_bucket: str = Field("", description="Name of the partner's ACE S3 bucket.")
    ace_s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint override (moto server, S3-compatible store). Empty = AWS.")
    ace_spms_id: str = Field("", description="The partner's Partner Central account number (spmsId).")
    ace_after_processing: Literal["tag", "delete"] = Field(
        "tag", description="What to do with an outbound file once all its records are written.")
    ace_mappings_dir: Path = Field(Path("mappings"), description="Folder holding the YAML mappings.")
    ace_inbound_records_per_file: int = Field(
        1, ge=1, le=ACE_INBOUND_MAX_RECORDS,
        description="Records per inbound file sent to ACE (AWS recommends 1; at most 50).")
    ace_inbound_min_resend_seconds: int = Field(
        0, ge=0, description="An update of a record sent to ACE less than this long ago waits (AWS asks for at "
                             "most one a record an hour: 3600); creates, referral decisions and links never "
                             "wait. 0 = send every change at once.")
    ace_max_object_bytes: int = Field(
        64 * 1024 * 1024, ge=1024,
        description="Outbound/results objects larger than this are quarantined unread.")
    ace_results_timeout_seconds: int = Field(
        900, ge=60, description="Alert when an inbound file has no results after this long.")

    # Folder layout (ACE-CONTRACT §2); every prefix can be overridden.
    ace_opportunity_outbound_prefix: str = "opportunity-outbound/"
    ace_lead_outbound_prefix: str = "lead-outbound/"
    ace_opportunity_inbound_prefix: str = "opportunity-inbound/"
    ace_lead_inbound_prefix: str = "lead-inbound/"
    ace_opportunity_results_prefix: str = "opportunity-inbound-processed-results/"
    ace_lead_results_prefix: str = "lead-inbound-processed-results/"

    # --- AWS credentials (standard names) -------------------------------------------
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_region: str | None = Field(None, description="Region of the ACE bucket.")
    aws_default_region: str | None = None

    # --- Salesforce -----------------------------------------------------------------------
    sf_instance_url: str | None = Field(None, description="Org URL, used with SF_SESSION_ID.")
    sf_session_id: SecretStr | None = Field(None, description="An existing session (emulator, CI).")
    sf_username: str | None = None
    sf_password: SecretStr | None = None
    sf_security_token: SecretStr | None = None
    sf_domain: str = Field("login", description="'login', 'test' or a My Domain prefix.")
    sf_consumer_key: str | None = Field(None, description="Connected app key (JWT / client credentials).")
    sf_consumer_secret: SecretStr | None = None
    sf_private_key_file: Path | None = Field(None, description="PEM key for the JWT bearer flow.")
    sf_ca_bundle: Path | None = Field(None, description="CA bundle to trust (the emulator's).")
    sf_api_version: str = Field("59.0", description="Salesforce REST API version, without the 'v'.")
    sf_bulk_threshold_records: int = Field(
        2000, ge=1, description="Writes of more records than this use Bulk API 2.0 instead of sObject Collections.")

    # --- Broker and schedules --------------------------------------------------------------
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Broker, locks, ledger, watermarks.")
    redis_key_prefix: str = Field("ace", description="Prefix of every key the connector writes.")
    outbound_interval_seconds: int = Field(300, ge=10)
    inbound_interval_seconds: int = Field(900, ge=10)
    results_interval_seconds: int = Field(300, ge=10)

    # --- Worker: retries sized for an hourly sync, not dramatiq's 7-day default -------------------
    worker_max_retries: int = Field(5, ge=0, description="Retries of a message after a transient error.")
    worker_min_backoff_seconds: float = Field(15.0, gt=0, description="First retry delay; it doubles each time.")
    worker_max_backoff_seconds: float = Field(600.0, gt=0, description="Longest delay between two retries.")
    worker_time_limit_seconds: int = Field(1800, ge=1, description="A flow run still going after this is stopped.")
    worker_message_max_age_seconds: int = Field(
        3600, ge=1, description="Older messages are dropped: a later scheduled run finds the same work.")

    # --- Salesforce API budget, shared by every worker through Redis -------------------------------
    sf_api_share: float = Field(0.5, gt=0, le=1, description="Share of the org's 24 h API allowance the connector may use.")
    sf_api_daily_limit: int = Field(
        15000, ge=1, description="The org's 24 h API allowance, used until the org reports its own.")
    sf_api_requests_per_second: float = Field(10.0, gt=0, description="Fleet-wide API calls per second.")
    sf_api_burst: int = Field(20, ge=1, description="Calls that may go at once above the per-second rate.")
    sf_api_max_concurrent_long: int = Field(
        5, ge=1, description="Fleet-wide cap on concurrent long requests (Bulk API jobs, big queries).")
    sf_api_max_wait_seconds: float = Field(30.0, ge=0, description="Longest a call waits for budget before giving up.")

    # --- Logs ------------------------------------------------------------------------------------
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @field_validator(
        "ace_opportunity_outbound_prefix", "ace_lead_outbound_prefix",
        "ace_opportunity_inbound_prefix", "ace_lead_inbound_prefix",
        "ace_opportunity_results_prefix", "ace_lead_results_prefix",
    )
    @classmethod
    def _prefix_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def region(self) -> str:
        return self.aws_region or self.aws_default_region or "us-west-2"

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redactor."""
        secrets = (self.aws_secret_access_key, self.aws_session_token, self.sf_session_id,
                   self.sf_password, self.sf_security_token, self.sf_consumer_secret)
        return [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
