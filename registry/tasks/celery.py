"""Celery, when ``REGISTRY_BROKER_URL`` names a broker (Redis or RabbitMQ).

As in Flask's Celery example, ``celery_init_app`` gives every task the app context
(and a fresh session per task). The tasks are the plain functions of
``registry.tasks.alerts`` and ``registry.tasks`` (re-judge jobs), so the embedded
runner and the workers run the same code. The web process only sends tasks (by name,
after its commit); ``flask --app wsgi worker`` runs them, and each worker sweeps on a
thread of its own (``registry.cli.worker``) rather than through a beat process, so
that no extra process has to be run or survives a killed worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from registry.extensions import db


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=app.config["BROKER_URL"],
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_prefetch_multiplier=1,
        task_default_queue=app.config.get("CELERY_QUEUE", "registry"),
    )
    _register(celery_app)
    app.extensions["celery"] = celery_app
    return celery_app


def _register(celery_app: Celery) -> None:
    from registry import tasks
    from registry.tasks import alerts, parsing

    celery_app.task(name="registry.alerts.dispatch")(_after_dispatch)
    celery_app.task(name="registry.alerts.deliver_due")(alerts.drain)
    celery_app.task(name="registry.alerts.sweep")(alerts.sweep)
    celery_app.task(name="registry.alerts.prune")(alerts.prune)
    celery_app.task(name="registry.jobs.run")(tasks.run_quietly)
    celery_app.task(name="registry.parse.run")(parsing.run_quietly)


def _after_dispatch() -> int:
    """Fan out, then enqueue delivery of what it made (after its commit)."""
    from flask import current_app

    from registry.tasks import alerts

    report = alerts.dispatch()
    alerts.kick(current_app, deliveries=report.deliveries)
    return report.deliveries
