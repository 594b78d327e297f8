"""`ace-connector golive ...`: link ACE's existing opportunities to Salesforce records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from connector.cli.common import console, err_console
from connector.errors import ConnectorError

app = typer.Typer(help="Go-live tooling: link existing ACE opportunities to Salesforce.", no_args_is_help=True)


@app.command()
def link(
    source: Annotated[Path | None, typer.Option(
        "--source", help="ACE's opportunities: an outbound file, a JSON list, or AWS's CSV export.")] = None,
    from_outbound: Annotated[bool, typer.Option(
        "--from-outbound", help="Read the opportunities in the bucket's outbound folder (nothing is tagged).")] = False,
    apply: Annotated[bool, typer.Option(
        "--apply", help="Write the matched ACE ids onto the records and send the partner keys to ACE.")] = False,
    csv_path: Annotated[Path, typer.Option("--csv", help="Where to write the review table as CSV.")] = Path(
        "golive-links.csv"),
    min_score: Annotated[float, typer.Option(help="Lowest score proposed as a match (0-1).")] = 0.75,
    tie_margin: Annotated[float, typer.Option(help="A best score closer than this to the next is a tie.")] = 0.1,
    weights: Annotated[str, typer.Option(
        help="Rule weights: account, title, close_date, website.")] = "account=0.4,title=0.3,close_date=0.15,website=0.15",
    close_date_window_days: Annotated[int, typer.Option(help="Close dates this far apart score 0.")] = 60,
) -> None:
    """Match ACE's existing opportunities to Salesforce records (dry run by default)."""
    from connector.golive import MatchRules, apply_links, load_ace_opportunities, outbound_opportunities, plan_links
    from connector.settings import get_settings
    from connector.sync.context import SyncContext

    if (source is None) == (not from_outbound):
        err_console.print("[red]golive link: give exactly one of --source FILE or --from-outbound[/red]")
        raise typer.Exit(2)
    try:
        rules = MatchRules(weights=MatchRules.parse_weights(weights), min_score=min_score, tie_margin=tie_margin,
                           close_date_window_days=close_date_window_days)
        ctx = SyncContext.from_settings(get_settings())
        records = load_ace_opportunities(source) if source else outbound_opportunities(ctx.bucket, ctx.layout)
        plan = plan_links(ctx, records, rules=rules)
    except (ConnectorError, ValueError) as exc:
        err_console.print(f"[red]golive link: {exc}[/red]")
        raise typer.Exit(2) from None
    table = Table(title=f"{len(plan.decisions)} ACE opportunities: {len(plan.to_link)} to link, "
                        f"{len(plan.for_review)} for a human")
    for column in ("ACE id", "ACE title", "decision", "Salesforce", "score", "why"):
        table.add_column(column)
    for d in plan.decisions:
        table.add_row(d.ace_id, d.ace_title, d.decision.value, f"{d.sf_id or ''} {d.sf_name or ''}".strip(),
                      "" if d.score is None else f"{d.score:.2f}", d.reason)
    console.print(table)
    from connector.golive import write_csv

    console.print(f"review table: {write_csv(plan, csv_path)}")
    if not apply:
        console.print("dry run: nothing written. Review the table, then run again with --apply.")
        return
    try:
        sent = apply_links(ctx, plan)
    except ConnectorError as exc:
        err_console.print(f"[red]golive link --apply: {exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"linked {len(plan.to_link)} record(s); partner keys sent to ACE in {len(sent)} file(s)")
