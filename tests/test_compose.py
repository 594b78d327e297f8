"""The container files, checked statically (no Docker engine here): commands, settings, persistence, user."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from connector.cli import app
from connector.settings import Settings

CONNECTOR_IMAGE = re.compile(r"^ace-connector(:|$)")


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    return yaml.safe_load((Path(repo_root) / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile(repo_root: Path) -> list[str]:
    """The Dockerfile's instructions, one per item (continuation lines joined, comments dropped)."""
    instructions: list[str] = []
    pending = ""
    for line in (Path(repo_root) / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.strip()
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip() + " "
            continue
        instructions.append(pending)
        pending = ""
    return instructions


def connector_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: service for name, service in compose["services"].items()
            if CONNECTOR_IMAGE.match(service.get("image", ""))}


def cli_envvars() -> set[str]:
    """Environment variables the CLI's own options read (e.g. ACE_ENV_FILE for --env-file)."""
    names: set[str] = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            envvar = getattr(param, "envvar", None)
            names.update([envvar] if isinstance(envvar, str) else envvar or [])
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return names


def allowed_env_name(name: str, *, extra: set[str]) -> bool:
    return name.lower() in Settings.model_fields or name.startswith("AWS_") or name in extra


def test_the_services_are_redis_worker_scheduler_and_a_dev_sandbox(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"redis", "worker", "scheduler", "sandbox"} <= set(services)
    assert "profiles" not in services["worker"] and "profiles" not in services["scheduler"]
    assert services["sandbox"]["profiles"] == ["dev"]
    assert services["sandbox"]["command"][:2] == ["sandbox", "up"]
    assert services["sandbox"]["build"]["args"]["EXTRAS"] == "sandbox"
    assert services["worker"]["image"] == services["scheduler"]["image"], "one image for worker and scheduler"


def test_every_service_command_exists_in_the_cli_with_its_options(compose: dict[str, Any]) -> None:
    runner = CliRunner()
    services = connector_services(compose)
    assert set(services) == {"worker", "scheduler", "sandbox"}
    for name, service in services.items():
        result = runner.invoke(app, [*service["command"], "--help"])
        assert result.exit_code == 0, f"{name}: `ace-connector {' '.join(service['command'])}`: {result.output}"


def test_every_environment_name_is_a_setting_an_aws_name_or_a_cli_option(compose: dict[str, Any],
                                                                         dockerfile: list[str]) -> None:
    extra = cli_envvars()
    assert "ACE_ENV_FILE" in extra
    used: dict[str, str] = {}
    for name, service in connector_services(compose).items():
        environment = service.get("environment", {})
        keys = environment if isinstance(environment, dict) else [item.split("=", 1)[0] for item in environment]
        used.update({key: f"service {name}" for key in keys})
    for line in dockerfile:
        if line.startswith("ENV "):
            used.update({key: "Dockerfile" for key in re.findall(r"([A-Z_][A-Z0-9_]*)=", line)})
    assert {"REDIS_URL", "LOG_FORMAT", "ACE_MAPPINGS_DIR"} <= set(used)
    python_runtime = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"}
    unknown = {name: where for name, where in used.items()
               if not allowed_env_name(name, extra=extra | python_runtime)}
    assert not unknown, f"environment names that are no setting: {unknown}"


def test_redis_persists_with_append_only(compose: dict[str, Any]) -> None:
    redis_service = compose["services"]["redis"]
    command = redis_service["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis_service["volumes"])
    for name in ("worker", "scheduler"):
        assert compose["services"][name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_dockerfile_runs_slim_python_as_a_non_root_user(dockerfile: list[str]) -> None:
    assert any(line.startswith("FROM python:3.11-slim") for line in dockerfile)
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users, "the Dockerfile never leaves root"
    assert users[-1] not in ("root", "0"), f"the image runs as {users[-1]}"
    last_user = max(i for i, line in enumerate(dockerfile) if line.startswith("USER "))
    assert not any(line.startswith("RUN ") for line in dockerfile[last_user:]), "RUN after USER runs as the user"


def test_the_image_installs_the_package_without_dev_extras_unless_asked(dockerfile: list[str]) -> None:
    installs = [line for line in dockerfile if "pip install" in line]
    assert installs == ['RUN pip install ".${EXTRAS:+[${EXTRAS}]}"']
    assert 'ARG EXTRAS=""' in dockerfile
    entrypoint = next(line for line in dockerfile if line.startswith("ENTRYPOINT"))
    assert entrypoint == 'ENTRYPOINT ["ace-connector"]'


def documented_default(value: Any) -> str:
    """How docs/OPERATIONS.md writes a default: `—` for none, `(empty)` for an empty text."""
    if value is None:
        return "—"
    return "(empty)" if value == "" else str(value)


def test_operations_doc_lists_every_setting_with_its_default(repo_root: Path) -> None:
    doc = (Path(repo_root) / "docs" / "OPERATIONS.md").read_text()
    rows = {match[0]: match[1] for match in re.findall(r"^\| `([A-Z0-9_]+)` \| `([^`]*)` \|", doc, re.MULTILINE)}
    expected = {name.upper(): documented_default(field.default) for name, field in Settings.model_fields.items()}
    missing = sorted(set(expected) - set(rows))
    assert not missing, f"docs/OPERATIONS.md lacks these settings: {missing}"
    wrong = {name: (rows[name], default) for name, default in expected.items() if rows[name] != default}
    assert not wrong, f"documented default differs from the code (doc, code): {wrong}"
    unknown = sorted(set(rows) - set(expected))
    assert not unknown, f"docs/OPERATIONS.md documents settings that do not exist: {unknown}"
