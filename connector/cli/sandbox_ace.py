"""`ace-connector sandbox ace ...`: the ACE simulator (plays AWS's side of the bucket)."""

from __future__ import annotations

import typer

from connector.cli.common import not_built

app = typer.Typer(help="The ACE simulator: plays AWS's side of the ACE bucket.", no_args_is_help=True)


@app.command()
def tick() -> None:
    """Process every pending inbound file once, then export outbound changes once."""
    not_built("sandbox ace tick")
