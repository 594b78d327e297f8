"""ace-connector: keeps a Salesforce org and AWS Partner Central's ACE pipeline in step."""

__version__ = "0.1.0"
