"""`ace-connector mappings ...`: check and describe the YAML field mappings."""

from __future__ import annotations

from pathlib import Path

import typer

from connector.errors import ConnectorError

app = typer.Typer(help="Check the YAML field mappings and print their JSON Schema.", no_args_is_help=True)


@app.command()
def validate(
    org: bool = typer.Option(False, "--org", help="Also check against the org's describe (SF_* settings)."),
    directory: Path | None = typer.Option(None, "--dir", help="Mappings folder (default: ACE_MAPPINGS_DIR, "
                                                              "else mappings/)."),
) -> None:
    """Check the mappings; errors as file:line:col: message; exit 1 on any error."""
    from connector.mapping.validate import validate_mappings
    from connector.settings import get_settings

    settings = get_settings()
    describe = None
    if org:
        from connector.salesforce import SalesforceClient

        try:
            describe = SalesforceClient.from_settings(settings).describe
        except ConnectorError as exc:
            typer.echo(f"cannot check against the org: {exc}", err=True)
            raise typer.Exit(1) from None
    report = validate_mappings(directory or settings.ace_mappings_dir, describe=describe)
    for error in report.errors:
        typer.echo(str(error))
    if not report.ok:
        typer.echo(f"{len(report.errors)} problem(s) found.", err=True)
        raise typer.Exit(1)
    for line in report.summary_lines():
        typer.echo(f"OK {line}")
    if org:
        typer.echo(f"OK every field exists in the org at {settings.sf_instance_url or 'the configured org'}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a mapping file."""
    from connector.mapping.schema import mapping_schema_text

    typer.echo(mapping_schema_text(), nl=False)
