"""What every running command does first: read settings (optionally from an env file) and set up logs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from connector.cli.common import err_console
from connector.errors import ConfigurationError
from connector.logs import configure_logging
from connector.settings import Settings, get_settings

#: The environment variable naming an env file for ``--env-file`` (compose's dev profile sets it).
ENV_FILE_VARIABLE = "ACE_ENV_FILE"
#: ``--env-file`` waits this long for the file to appear (``sandbox up`` writes it when ready).
ENV_FILE_WAIT_SECONDS = 120.0
ENV_FILE_POLL_SECONDS = 0.5

EnvFileOption = typer.Option(
    None, "--env-file", envvar=ENV_FILE_VARIABLE,
    help="Also read settings from this dotenv file (variables already set win). Waits up to "
         f"{ENV_FILE_WAIT_SECONDS:.0f} s for it to appear, e.g. until `sandbox up` has written it.",
    dir_okay=False)


def load_env_file(path: Path, *, wait_seconds: float = ENV_FILE_WAIT_SECONDS) -> list[str]:
    """Put the file's variables into the environment, unless already set; returns the names set.

    They reach this process's settings and every process it starts (dramatiq's workers).
    """
    from dotenv import dotenv_values  # a dependency of pydantic-settings

    deadline = time.monotonic() + wait_seconds
    while not path.is_file():
        if time.monotonic() >= deadline:
            raise ConfigurationError(f"env file {path} did not appear within {wait_seconds:g} s")
        time.sleep(ENV_FILE_POLL_SECONDS)
    added = []
    for name, value in dotenv_values(path).items():
        if value is not None and name not in os.environ:
            os.environ[name] = value
            added.append(name)
    get_settings.cache_clear()
    return added


def start(env_file: Path | None = None, *, log_level: str | None = None) -> Settings:
    """Settings for a command (with ``env_file`` loaded first) and logging configured from them."""
    try:
        if env_file is not None:
            load_env_file(env_file)
        settings = get_settings()
    except (ConfigurationError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        err_console.print(f"[red]configuration error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    configure_logging(level=log_level or settings.log_level, fmt=settings.log_format,
                      secrets=settings.secret_values())
    return settings
