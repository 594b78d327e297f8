"""The connector's Salesforce adapter, built on simple-salesforce.

``SalesforceClient`` is what the sync layer uses; ``open_salesforce`` logs in
from settings; every failure is a ``connector.errors.SalesforceError``.
"""

from connector.salesforce.client import SalesforceClient, clear_describe_cache
from connector.salesforce.records import Operation
from connector.salesforce.results import RecordError, WriteResult
from connector.salesforce.retry import RetryPolicy
from connector.salesforce.session import CredentialKind, credential_kind, open_salesforce
from connector.salesforce.transport import ApiUsage, RateLimiter

__all__ = [
    "ApiUsage", "CredentialKind", "Operation", "RateLimiter", "RecordError", "RetryPolicy",
    "SalesforceClient", "WriteResult", "clear_describe_cache", "credential_kind", "open_salesforce",
]
