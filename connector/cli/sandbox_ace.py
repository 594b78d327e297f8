"""`ace-connector sandbox ace ...`: the ACE simulator (plays AWS's side of the bucket).

Thin: options are parsed here, everything else is ``connector.sandbox.ace.Simulator``.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import typer

from connector.cli.common import console, err_console
from connector.errors import ConnectorError
from connector.settings import get_settings

app = typer.Typer(
    help="""The ACE simulator: plays AWS's side of the ACE bucket (answers inbound files, exports
outbound changes, and lets you act as AWS: refer opportunities and leads, review, update).

State (ACE's records, processed file names, flags) lives in --state DIR, shared by every command.
The bucket and endpoint default to ACE_BUCKET and ACE_S3_ENDPOINT_URL; the bucket is created
if it does not exist.

A referral round trip by hand (with a moto server on :5000, `moto_server -p 5000`):

  export ACE_BUCKET=ace-sandbox ACE_S3_ENDPOINT_URL=http://127.0.0.1:5000

  ace-connector sandbox ace --state sim refer-opportunity --company "Example Corp"   # prints O…

  ace-connector sandbox ace --state sim export      # masked referral in opportunity-outbound/

  echo '{"version": "2.0", "spmsId": "1234567", "opportunities":
        [{"partnerAcceptanceStatus": "Accepted", "apnCrmUniqueIdentifier": "O…"}]}' > accept.json

  ace-connector sandbox ace --state sim upload accept.json   # as the partner: opportunity-inbound/

  ace-connector sandbox ace --state sim tick        # answers it, exports the unmasked record

  ace-connector sandbox ace --state sim ls          # then `cat KEY` to read any file
""",
    no_args_is_help=False,
    invoke_without_command=True,
)

EXIT_FAILED = 1
DEFAULT_STATE_DIR = Path(".ace-simulator")


def _fail(message: str) -> NoReturn:
    err_console.print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(EXIT_FAILED)


def _simulator(ctx: typer.Context, *, with_bucket: bool = True) -> Any:
    """The simulator; commands that never touch S3 (refer, review, configure…) get none."""
    from connector.sandbox.ace import Simulator  # the sandbox extra is only needed here

    options = ctx.obj
    if not with_bucket:
        return Simulator(None, state_dir=options["state"])
    try:
        simulator = Simulator.from_settings(get_settings(), state_dir=options["state"],
                                            bucket=options["bucket"], endpoint_url=options["endpoint_url"])
        simulator.ensure_bucket()
    except ConnectorError as exc:
        _fail(str(exc))
    return simulator


def _run(action: Any) -> Any:
    """Call into the simulator, turning its errors into a message and exit code 1."""
    from connector.sandbox.ace import InvalidChange, UnknownRecord

    try:
        return action()
    except (ConnectorError, InvalidChange, UnknownRecord, ValueError) as exc:
        _fail(str(exc))


def _parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs; VALUE is read as JSON when it parses (numbers, null, arrays), else text."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            _fail(f"--set takes FIELD=VALUE, got {pair!r}")
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw
    return values


def _parse_datetime(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"{option} takes an ISO date and time such as 2025-01-31T17:00:00Z, got {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _print_tick(report: Any) -> None:
    for file in report.files:
        outcome = file.success or "dropped"
        answer = f" -> {file.answer_key}" if file.answer_key else ""
        reason = f"  ({file.reason})" if file.reason else ""
        console.print(f"{outcome:8} {file.key}{answer}{reason}", highlight=False, soft_wrap=True)
    for key in report.exported:
        console.print(f"exported {key}", highlight=False, soft_wrap=True)
    if not report.files and not report.exported:
        console.print("nothing to do", highlight=False)


@app.callback()
def main(
    ctx: typer.Context,
    state: Path = typer.Option(DEFAULT_STATE_DIR, "--state", help="Folder holding the simulator's state.",
                               file_okay=False),
    bucket: str | None = typer.Option(None, "--bucket", help="The ACE bucket (default: ACE_BUCKET)."),
    endpoint_url: str | None = typer.Option(
        None, "--endpoint-url", help="S3 endpoint, e.g. a moto server (default: ACE_S3_ENDPOINT_URL)."),
    once: bool = typer.Option(False, "--once", help="Same as the `tick` command."),
) -> None:
    """The ACE simulator: plays AWS's side of the ACE bucket."""
    ctx.obj = {"state": state, "bucket": bucket, "endpoint_url": endpoint_url}
    if ctx.invoked_subcommand is None:
        if not once:
            console.print(ctx.get_help())
            raise typer.Exit(0)
        simulator = _simulator(ctx)
        _print_tick(_run(simulator.tick))


@app.command()
def tick(ctx: typer.Context) -> None:
    """Process every pending inbound file once, then export outbound changes once."""
    simulator = _simulator(ctx)
    _print_tick(_run(simulator.tick))


@app.command()
def export(ctx: typer.Context) -> None:
    """Write outbound files (and their -archive copies) for every change since the last export."""
    simulator = _simulator(ctx)
    _print_tick(_run(lambda: _export_report(simulator)))


def _export_report(simulator: Any) -> Any:
    from connector.sandbox.ace import TickReport

    return TickReport(exported=simulator.export())


@app.command()
def serve(
    ctx: typer.Context,
    interval: float = typer.Option(30.0, "--interval", min=0.1, help="Seconds between inbound pickups."),
    export_interval: float = typer.Option(3600.0, "--export-interval", min=0.1,
                                          help="Seconds between outbound exports (ACE: hourly)."),
) -> None:
    """Run until Ctrl-C: pick up inbound files every --interval, export changes every --export-interval."""
    simulator = _simulator(ctx)
    stop = threading.Event()
    # Ctrl-C and SIGTERM let the current pickup or export finish, then stop.
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    console.print(f"serving s3://{simulator.bucket.name} (state {ctx.obj['state']}); Ctrl-C stops",
                  highlight=False)
    try:
        _run(lambda: simulator.serve(pickup_interval_seconds=interval, export_interval_seconds=export_interval,
                                     stop=stop, on_tick=_print_tick_if_busy))
    except KeyboardInterrupt:
        stop.set()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print("stopped", highlight=False)


def _print_tick_if_busy(report: Any) -> None:
    if report.files or report.exported:
        _print_tick(report)


@app.command("refer-opportunity")
def refer_opportunity(
    ctx: typer.Context,
    company: str | None = typer.Option(None, "--company", help="customerCompanyName."),
    title: str | None = typer.Option(None, "--title", help="partnerProjectTitle."),
    description: str | None = typer.Option(None, "--description", help="projectDescription."),
    industry: str | None = typer.Option(None, "--industry", help="industry (a standard value)."),
    use_case: str | None = typer.Option(None, "--use-case", help="useCase (a standard value)."),
    revenue: float | None = typer.Option(None, "--revenue", help="expectedMonthlyAwsRevenue (USD)."),
    close_date: str | None = typer.Option(None, "--close-date", help="targetCloseDate, YYYY-MM-DD."),
    stage: str | None = typer.Option(None, "--stage", help="stage (default Prospect)."),
    accept_by: str | None = typer.Option(None, "--accept-by", help="Deadline to accept, ISO date and time."),
    assignments: list[str] = typer.Option([], "--set", help="Any other field: FIELD=VALUE (repeatable)."),
) -> None:
    """AWS shares a new opportunity with the partner (masked until accepted). Prints its O… id last."""
    fields = _parse_assignments(assignments)
    named = {"customerCompanyName": company, "partnerProjectTitle": title, "projectDescription": description,
             "industry": industry, "useCase": use_case, "expectedMonthlyAwsRevenue": revenue,
             "targetCloseDate": close_date, "stage": stage}
    fields.update({name: value for name, value in named.items() if value is not None})
    deadline = _parse_datetime(accept_by, "--accept-by")
    simulator = _simulator(ctx, with_bucket=False)
    record_id = _run(lambda: simulator.refer_opportunity(accept_by=deadline, **fields))
    console.print("run `export` (or `tick`) to put it in the outbound folder", highlight=False)
    console.print(record_id, highlight=False)


@app.command("refer-lead")
def refer_lead(
    ctx: typer.Context,
    company: str | None = typer.Option(None, "--company", help="company."),
    full_name: str | None = typer.Option(None, "--name", help="fullName of the contact."),
    email: str | None = typer.Option(None, "--email", help="email of the contact."),
    industry: str | None = typer.Option(None, "--industry", help="industry (a lead standard value)."),
    description: str | None = typer.Option(None, "--description", help="projectDescription."),
    campaign: str | None = typer.Option(None, "--campaign", help="campaignName."),
    assignments: list[str] = typer.Option([], "--set", help="Any other field: FIELD=VALUE (repeatable)."),
) -> None:
    """AWS shares a new lead with the partner (masked until accepted). Prints its L… id last."""
    fields = _parse_assignments(assignments)
    named = {"company": company, "fullName": full_name, "email": email, "industry": industry,
             "projectDescription": description, "campaignName": campaign}
    fields.update({name: value for name, value in named.items() if value is not None})
    simulator = _simulator(ctx, with_bucket=False)
    record_id = _run(lambda: simulator.refer_lead(**fields))
    console.print("run `export` (or `tick`) to put it in the outbound folder", highlight=False)
    console.print(record_id, highlight=False)


@app.command()
def review(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID", help="The O… id of a partner referral."),
    to: str = typer.Option(..., "--to", help='In review | Approved | Rejected | "Action Required".'),
    comment: str | None = typer.Option(None, "--comment", help="apnReviewerComments (what to fix)."),
) -> None:
    """AWS's review of a partner-created opportunity; the change goes out with the next export."""
    simulator = _simulator(ctx, with_bucket=False)
    _run(lambda: simulator.review(record_id, to=to, comment=comment))
    console.print(f"{record_id} is now {to}", highlight=False)


@app.command("seller-update")
def seller_update(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID", help="An O… (or L…) id."),
    stage: str | None = typer.Option(None, "--stage", help="The AWS seller's stage (aWSStage)."),
    next_step: str | None = typer.Option(None, "--next-step", help="nextStep (logged in nextStepHistory)."),
    close_date: str | None = typer.Option(None, "--close-date", help="aWSCloseDate, YYYY-MM-DD."),
    closed_lost_reason: str | None = typer.Option(None, "--closed-lost-reason", help="aWSClosedLostReason."),
    assignments: list[str] = typer.Option(
        [], "--set", help="Any other field, e.g. acceptBy=... or campaignMemberStatus=Attended (repeatable)."),
) -> None:
    """The AWS seller (or marketing, for leads) changes a record; it goes out with the next export."""
    fields = _parse_assignments(assignments)
    simulator = _simulator(ctx, with_bucket=False)
    _run(lambda: simulator.seller_update(record_id, stage=stage, next_step=next_step, close_date=close_date,
                                         closed_lost_reason=closed_lost_reason, **fields))
    console.print(f"{record_id} updated", highlight=False)


@app.command()
def show(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID", help="An O… or L… id."),
    as_partner: bool = typer.Option(False, "--as-partner", help="Show it masked, as the next export would."),
) -> None:
    """Print a record the simulator holds, as JSON."""
    simulator = _simulator(ctx, with_bucket=False)
    if as_partner:
        record = _run(lambda: simulator.partner_view(record_id))
    else:
        record = _run(lambda: simulator.lead(record_id) if record_id.startswith("L")
                      else simulator.opportunity(record_id))
    console.print_json(json.dumps(record))


@app.command()
def configure(
    ctx: typer.Context,
    flags: list[str] = typer.Option(
        [], "--flag", help="NAME=VALUE, e.g. require_solution_on_create=false, allow_v1=false, "
                           "accept_capital_Leads=false, results_suffix=_results, results_prefix_style=plain, "
                           "duplicate_name_behaviour=silent, check_inbound_acl=false (repeatable)."),
    user_emails: list[str] = typer.Option(
        [], "--user-email", help="Partner Central user e-mails (repeatable; replaces the list; first = "
                                 "alliance lead, the default opportunity owner)."),
    spms_id: str | None = typer.Option(None, "--spms-id", help="The partner's spmsId."),
    partner_type: str | None = typer.Option(None, "--partner-type", help="consulting | isv."),
    isv_accelerate: bool | None = typer.Option(None, "--isv-accelerate/--no-isv-accelerate"),
    special_program: bool | None = typer.Option(None, "--special-program/--no-special-program"),
    records_per_file: int | None = typer.Option(None, "--records-per-file", min=1,
                                                help="Records per outbound file."),
) -> None:
    """Set the simulator's flags (ACE-CONTRACT §16.5) and partner profile; prints the configuration."""
    from connector.sandbox.ace.config import parse_flag_value

    flag_values: dict[str, Any] = {}
    for pair in flags:
        name, sep, raw = pair.partition("=")
        if not sep:
            _fail(f"--flag takes NAME=VALUE, got {pair!r}")
        flag_values[name.strip()] = _run(lambda: parse_flag_value(name.strip(), raw))
    partner = {"user_emails": tuple(user_emails) if user_emails else None, "spms_id": spms_id,
               "partner_type": partner_type, "isv_accelerate": isv_accelerate, "special_program": special_program}
    partner = {name: value for name, value in partner.items() if value is not None}
    settings = {"export_records_per_file": records_per_file} if records_per_file else {}
    simulator = _simulator(ctx, with_bucket=False)
    config = _run(lambda: simulator.configure(flags=flag_values, partner=partner, **settings)).to_json()
    for name in ("solution_ids", "product_codes"):  # long lists: say how many
        config["partner"][name] = f"{len(config['partner'][name])} values (edit config.json to change)"
    console.print_json(json.dumps(config))


# --- the partner's side, for trying the simulator by hand ------------------------------------------


@app.command()
def upload(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The file to send."),
    entity: str = typer.Option("opportunity", "--entity", help="opportunity | lead: which inbound folder."),
    name: str | None = typer.Option(None, "--name", help="Object name (default: the file's name)."),
) -> None:
    """Upload a file into <entity>-inbound/ as a partner would (ACL bucket-owner-full-control)."""
    simulator = _simulator(ctx)
    layout = _run(lambda: simulator.layout.for_entity(entity))
    key = layout.inbound + (name or file.name)
    _run(lambda: simulator.bucket.put_bytes(key, file.read_bytes()))
    console.print(f"uploaded {key}; run `tick` to have it answered", highlight=False, soft_wrap=True)


@app.command("ls")
def list_files(
    ctx: typer.Context,
    prefix: str = typer.Argument("", help="Only keys starting with this (default: the whole bucket)."),
) -> None:
    """List the bucket's objects, oldest first."""
    simulator = _simulator(ctx)
    for info in _run(lambda: simulator.bucket.list_objects(prefix, skip_empty=False)):
        console.print(f"{info.last_modified:%Y-%m-%d %H:%M:%S} {info.size:>9} {info.key}",
                      highlight=False, soft_wrap=True)


@app.command("cat")
def cat_file(ctx: typer.Context, key: str = typer.Argument(..., help="The object's key.")) -> None:
    """Print one object of the bucket."""
    simulator = _simulator(ctx)
    data = _run(lambda: simulator.bucket.read_bytes(key))
    console.print(data.decode("utf-8", errors="replace"), highlight=False, markup=False, soft_wrap=True)
