"""`ace-connector sandbox ...`: the local stand-ins for S3, ACE and the Salesforce org."""

from __future__ import annotations

import typer

from connector.cli.common import not_built

app = typer.Typer(help="Local stand-ins: the Salesforce org emulator and the ACE simulator.",
                  no_args_is_help=True)
ace_app = typer.Typer(help="The ACE simulator: plays AWS's side of the ACE bucket.", no_args_is_help=True)
app.add_typer(ace_app, name="ace")


@app.command()
def salesforce() -> None:
    """Run the Salesforce org emulator (HTTPS, SQLite)."""
    not_built("sandbox salesforce")


@app.command()
def up() -> None:
    """Run the moto S3 server, the Salesforce emulator and the ACE simulator together."""
    not_built("sandbox up")


@ace_app.command()
def tick() -> None:
    """Process every pending inbound file once, then export outbound changes once."""
    not_built("sandbox ace tick")
