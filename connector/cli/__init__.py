"""The `ace-connector` command line. Thin: it parses arguments and delegates.

Each command group lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import typer

from connector.cli import golive, mappings, run, sandbox, uat

app = typer.Typer(
    name="ace-connector",
    help="Keep a Salesforce org in sync with AWS Partner Central (ACE) through the ACE S3 bucket.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
)

run.register(app)
app.add_typer(mappings.app, name="mappings")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(uat.app, name="uat")
app.add_typer(golive.app, name="golive")


def main() -> None:
    app()
