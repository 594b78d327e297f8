"""`ace-connector mappings ...`: check and describe the YAML field mappings."""

from __future__ import annotations

import typer

from connector.cli.common import not_built

app = typer.Typer(help="Check the YAML field mappings and print their JSON Schema.", no_args_is_help=True)


@app.command()
def validate(org: bool = typer.Option(False, "--org", help="Also check against the org's describe.")) -> None:
    """Check the mappings; errors as file:line: message; exit 1 on any error."""
    not_built("mappings validate")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a mapping file."""
    not_built("mappings schema")
