"""Small helpers shared by the command modules."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

#: Exit code for "this command exists in the contract but is not built yet".
EXIT_NOT_BUILT = 2

console = Console(stderr=False)
err_console = Console(stderr=True)


def not_built(command: str) -> NoReturn:
    err_console.print(f"[yellow]`ace-connector {command}` is not built yet in this version.[/yellow]")
    raise typer.Exit(EXIT_NOT_BUILT)
