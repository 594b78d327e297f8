"""`ace-connector sandbox ...`: the local stand-ins for S3, ACE and the Salesforce org."""

from __future__ import annotations

import typer

from connector.cli import sandbox_ace, sandbox_salesforce
from connector.cli.common import not_built

app = typer.Typer(help="Local stand-ins: the Salesforce org emulator and the ACE simulator.",
                  no_args_is_help=True)
app.add_typer(sandbox_ace.app, name="ace")
app.command("salesforce")(sandbox_salesforce.salesforce)


@app.command()
def up() -> None:
    """Run the moto S3 server, the Salesforce emulator and the ACE simulator together."""
    not_built("sandbox up")
