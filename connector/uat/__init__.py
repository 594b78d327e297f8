"""The UAT suite: AWS's "Testing Scenarios" sheets as data (``uat/*.yaml``), their runner and reports.

``ace-connector uat run`` loads the scenarios, runs each step through the real
connector (sandbox by default, ``--live`` against the configured bucket and
org) and writes JUnit XML, an HTML page and AWS's workbook filled in.
"""
