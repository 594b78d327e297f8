"""`ace-connector uat ...`: AWS's UAT test scripts, automated."""

from __future__ import annotations

import typer

from connector.cli.common import not_built

app = typer.Typer(help="Run AWS's UAT scenarios and write the sign-off report.", no_args_is_help=True)


@app.command("run")
def run_suite() -> None:
    """Run the UAT suite (sandbox by default, --live against the real bucket and org)."""
    not_built("uat run")
