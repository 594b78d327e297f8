"""Fixtures for the mapping tests: one org emulator, for the org checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce


@pytest.fixture(scope="session")
def org() -> Iterator[object]:
    """The org emulator with the repo's sfdx source (the fields the default mappings need)."""
    from connector.sandbox.salesforce import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def describe(org):
    """``SalesforceClient.describe`` against the emulator, over HTTPS with simple-salesforce."""
    from connector.salesforce import SalesforceClient, clear_describe_cache

    clear_describe_cache()
    sf = Salesforce(instance_url=org.instance_url, session_id=org.session_id,
                    session=org.requests_session(), version=org.api_version)
    return SalesforceClient(sf).describe
