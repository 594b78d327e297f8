"""`ace-connector sandbox ...`: the local stand-ins for S3, ACE and the Salesforce org."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from connector.cli import sandbox_ace, sandbox_salesforce
from connector.cli.common import console

app = typer.Typer(help="Local stand-ins: the Salesforce org emulator and the ACE simulator.",
                  no_args_is_help=True)
app.add_typer(sandbox_ace.app, name="ace")
app.command("salesforce")(sandbox_salesforce.salesforce)


@app.command()
def up(
    work_dir: Path = typer.Option(Path(".sandbox"), "--work-dir", file_okay=False,
                                  help="Folder for the org's data, its certificate and the simulator's state."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 in a container)."),
    public_host: str | None = typer.Option(None, "--public-host",
                                           help="Name other processes reach this one by (e.g. the compose "
                                                "service name); default: --host."),
    s3_port: int = typer.Option(5000, "--s3-port", min=0, max=65535, help="Port of the moto S3 server."),
    salesforce_port: int = typer.Option(8443, "--salesforce-port", min=0, max=65535,
                                        help="HTTPS port of the Salesforce org emulator."),
    bucket: str = typer.Option("ace-sandbox", "--bucket", help="The ACE bucket to create."),
    spms_id: str = typer.Option("1234567", "--spms-id", help="The simulated partner's spmsId."),
    env_file: Path | None = typer.Option(None, "--env-file", dir_okay=False,
                                         help="Where to write the connector's settings for this sandbox "
                                              "(default: WORK_DIR/connector.env)."),
    sfdx_dir: Path | None = typer.Option(None, "--sfdx-dir", file_okay=False,
                                         help="sfdx source whose custom fields the org gets "
                                              "(default: the checkout's salesforce/ folder)."),
    pickup_interval: float = typer.Option(10.0, "--pickup-interval", min=0.1,
                                          help="Seconds between the simulator's inbound pickups."),
    export_interval: float = typer.Option(60.0, "--export-interval", min=0.1,
                                          help="Seconds between the simulator's outbound exports (ACE: hourly)."),
) -> None:
    """Run the moto S3 server, the Salesforce emulator and the ACE simulator together, until stopped.

    The settings a worker needs to use them are written to an env file (it holds the
    emulator's session id, so it is not printed): pass it to `worker`, `scheduler`,
    `sync` or `status` with --env-file.
    """
    from connector.cli.startup import start
    from connector.sandbox.stack import SandboxStack

    start(log_level="WARNING")
    stack = SandboxStack(work_dir=work_dir, bucket=bucket, spms_id=spms_id, host=host, public_host=public_host,
                         s3_port=s3_port, salesforce_port=salesforce_port, sfdx_dir=sfdx_dir)
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    env_path = env_file or work_dir / "connector.env"
    with stack:
        try:
            stack.write_env_file(env_path)
            console.print(f"S3 (moto): {stack.s3_endpoint_url}  bucket {bucket}\n"
                          f"Salesforce org emulator: {stack.emulator.instance_url}\n"
                          f"ACE simulator: picks up inbound files every {pickup_interval:g} s, "
                          f"exports every {export_interval:g} s\n"
                          f"Connector settings for this sandbox: {env_path}", highlight=False, soft_wrap=True)
            stack.simulator.serve(pickup_interval_seconds=pickup_interval,
                                  export_interval_seconds=export_interval, stop=stop)
        finally:
            env_path.unlink(missing_ok=True)  # the session id it holds dies with this process
    console.print("sandbox stopped", highlight=False)
