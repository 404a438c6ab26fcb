"""``flask --app wsgi worker``: a delivery worker.

With ``REGISTRY_BROKER_URL`` it is a Celery worker (threads: delivery waits on the
network, not the CPU) that also sweeps every ``ALERT_SWEEP_S`` for work a crash left
behind; run as many as wanted on as many hosts as wanted. Without a broker it runs the
embedded runner in the foreground (for a web tier started with ``ALERT_WORKER=off``).
"""

from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.extensions import db
from registry.tasks import alerts, parsing

log = logging.getLogger(__name__)


@click.command("worker")
@click.option(
    "--concurrency",
    "-c",
    default=8,
    show_default=True,
    help="deliveries in flight at once (Celery threads)",
)
@click.option(
    "--sweep/--no-sweep",
    default=True,
    show_default=True,
    help="re-queue due deliveries every ALERT_SWEEP_S",
)
@click.option(
    "--hostname",
    "-n",
    default=None,
    help="the Celery node name (e.g. w1@%h), unique per worker on one host",
)
@with_appcontext
def worker_command(concurrency: int, sweep: bool, hostname: str | None) -> None:
    """Deliver alerts, parse uploads (and run re-judge jobs) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    celery = app.extensions.get("celery")
    if celery is None:
        click.echo("No REGISTRY_BROKER_URL: delivering in this process (Ctrl-C stops).")
        runner = app.extensions.get("registry.alerts")
        if not isinstance(runner, alerts.EmbeddedAlertRunner):
            runner = alerts.EmbeddedAlertRunner(app)
        runner.loop_forever()
        return
    if sweep:
        threading.Thread(target=_sweeper, args=(app,), name="registry-sweeper", daemon=True).start()
    argv = [
        "worker",
        "--pool",
        "threads",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--queues",
        celery.conf.task_default_queue,
    ]
    if hostname:
        argv += ["--hostname", hostname]
    celery.worker_main(argv)


def _sweeper(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    every = float(app.config["ALERT_SWEEP_S"])
    stop = threading.Event()
    while True:  # at start too: a restarted worker picks up what its death left
        with app.app_context():
            try:
                alerts.sweep()
            except Exception:
                log.exception("sweep failed")
            try:
                parsing.sweep()  # parse jobs a dead process left
            except Exception:
                log.exception("parse sweep failed")
            finally:
                db.session.remove()
        stop.wait(every)
