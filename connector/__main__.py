"""`python -m connector` is the same as `ace-connector`."""

from connector.cli import main

main()
