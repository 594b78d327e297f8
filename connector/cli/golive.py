"""`ace-connector golive ...`: link ACE's existing opportunities to Salesforce records."""

from __future__ import annotations

import typer

from connector.cli.common import not_built

app = typer.Typer(help="Go-live tooling: link existing ACE opportunities to Salesforce.", no_args_is_help=True)


@app.command()
def link() -> None:
    """Match ACE's existing opportunities to Salesforce records (dry run by default)."""
    not_built("golive link")
