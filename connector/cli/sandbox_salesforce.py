"""`ace-connector sandbox salesforce`: the Salesforce org emulator."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from connector.cli.common import console


def salesforce(
    port: int = typer.Option(8443, "--port", help="TCP port to serve HTTPS on (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="Folder for the SQLite data and the certificate "
                                              "(default: a temporary folder, removed on exit)."),
    info_file: Path | None = typer.Option(None, "--info-file",
                                          help="Write instance_url, session ids, ca_bundle and "
                                               "api_version here as JSON once serving."),
    sfdx_dir: Path | None = typer.Option(None, "--sfdx-dir",
                                         help="sfdx source whose custom fields the org gets "
                                              "(default: the project's salesforce/ folder)."),
    api_version: str = typer.Option("59.0", "--api-version", help="API version written to the info file."),
) -> None:
    """Run the Salesforce org emulator (HTTPS, SQLite) until interrupted."""
    from connector.sandbox.salesforce import EmulatorServer

    server = EmulatorServer(host=host, port=port, data_dir=data_dir, sfdx_dir=sfdx_dir,
                            api_version=api_version).start()
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    try:
        if info_file is not None:
            server.write_info(info_file)
        console.print(f"Salesforce org emulator serving {server.instance_url} "
                      f"(CA bundle {server.ca_bundle})"
                      + (f"; connection details in {info_file}" if info_file else ""))
        stop.wait()
    finally:
        server.stop()
        if info_file is not None:
            info_file.unlink(missing_ok=True)
