"""``flask --app wsgi alerts prune``: forget sign-ups nobody confirmed.

The workers' sweeper (and the embedded runner) prune every ``ALERT_SWEEP_S``; this
command does it once, for a deployment that runs neither (``ALERT_WORKER=off``) or
from cron.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from registry import unit_of_work
from registry.extensions import db
from registry.services import subscriptions

cli = AppGroup("alerts", help="Failure alerts: subscriptions and their deliveries.")


@cli.command("prune")
def prune() -> None:
    """Delete email sign-ups still unconfirmed after their link expired (3 days), and
    sign-up records older than the rate limit's hour."""
    subs, records = unit_of_work.commit(
        db.session, lambda: subscriptions.prune_unconfirmed(db.session)
    )
    click.echo(f"Removed {subs} unconfirmed subscription(s) and {records} old sign-up record(s).")
