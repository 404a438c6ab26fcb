"""Delivering alerts: the task code, and the two ways it runs.

Three tasks, each its own units of work inside the app context:

* :func:`dispatch`: fan undispatched outbox events out into deliveries
  (``services/fanout.py``) until none is left;
* :func:`deliver_due`: claim a chunk of due deliveries, send them (webhooks signed,
  email digests) outside any transaction, record the outcomes;
* :func:`sweep`: dispatch, prune sign-ups left unconfirmed after their link expired
  (every ``PRUNE_EVERY_S``), then make sure every due delivery has a runner.

A tokenless email sign-up's confirmation mail is a delivery like any other (written with
the subscription), so :func:`deliver_due` sends it with the same retries.

**Embedded** (no ``REGISTRY_BROKER_URL``, the default): a background thread of the web
process runs dispatch and delivery, woken right after any commit that wrote outbox
events and otherwise every ``ALERT_POLL_S``, so ``flask run`` delivers on its own.
**Celery** (a broker set): ``flask --app wsgi worker`` processes run the same functions
as Celery tasks (``registry.tasks.celery``); commits enqueue them after the commit, and
each worker sweeps every ``ALERT_SWEEP_S`` for anything a crash left behind (a commit
whose enqueue never happened, a worker killed mid-send).

A commit that wrote outbox events is noticed by a session hook (the verdict service
writes them with a bulk insert), never by editing the writers.
"""

from __future__ import annotations

import logging
import math
import smtplib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from registry import unit_of_work
from registry.alerts import mail, ssrf, webhook
from registry.config import json_dumps
from registry.extensions import db
from registry.models import Channel, DeliveryKind, OutboxEvent
from registry.services import deliveries, fanout, subscriptions
from registry.services.deliveries import Attempt, Policy, Work

log = logging.getLogger(__name__)

CONFIRM_PATH = "/alerts/confirm/"
UNSUBSCRIBE_PATH = "/alerts/unsubscribe/"
_OUTBOX = OutboxEvent.__table__
_FLAG = "registry.alerts.outbox"


# --------------------------------------------------------------------------- settings


def policy(app: Flask) -> Policy:
    cfg = app.config
    delays = cfg.get("ALERT_RETRY_DELAYS_S") or deliveries.RETRY_DELAYS_S
    if isinstance(delays, str):
        delays = [float(x) for x in delays.split(",") if x.strip()]
    return Policy(
        delays_s=tuple(float(d) for d in delays),
        disable_after=timedelta(seconds=float(cfg["ALERT_DISABLE_AFTER_S"])),
        lease=timedelta(seconds=float(cfg["ALERT_LEASE_S"])),
        jitter=float(cfg["ALERT_JITTER"]),
    )


def allowed_hosts(app: Flask) -> frozenset[str]:
    return ssrf.parse_allowed(app.config.get("WEBHOOK_ALLOWED_HOSTS"))


def sender(app: Flask) -> str:
    return app.config.get("MAIL_FROM") or "alerts@" + (
        urlsplit(str(app.config["BASE_URL"])).hostname or "localhost"
    )


# --------------------------------------------------------------------------- tasks


def dispatch() -> fanout.FanOutReport:
    """Fan out every undispatched event, one transaction per chunk."""
    app = current_app
    total = fanout.FanOutReport()
    window = timedelta(seconds=float(app.config["ALERT_DIGEST_S"]))
    while True:
        report = unit_of_work.commit(
            db.session,
            lambda: fanout.fan_out(
                db.session, default_profile=app.config["DEFAULT_PROFILE"], digest_window=window
            ),
        )
        total.events += report.events
        total.deliveries += report.deliveries
        if report.events < fanout.BATCH:
            return total


def deliver_due(limit: int | None = None) -> int:
    """Claim, send and record one chunk of due deliveries; how many were claimed."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    rules = policy(app)
    limit = limit or int(app.config["ALERT_CHUNK"])
    ids = unit_of_work.commit(
        db.session, lambda: deliveries.claim(db.session, limit=limit, policy=rules)
    )
    if not ids:
        return 0
    sends = deliveries.work(db.session, ids)
    mail_events = any(w.channel is Channel.EMAIL and w.kind is DeliveryKind.EVENT for w in sends)
    names = deliveries.profile_names(db.session) if mail_events else {}
    db.session.rollback()  # no transaction stays open while sending
    outcomes = _send_all(app, sends, names)
    unit_of_work.commit(db.session, lambda: deliveries.record(db.session, outcomes, policy=rules))
    return len(ids)


def drain(budget_s: float = 30.0) -> int:
    """The Celery task: deliver chunks of ``ALERT_TASK_CHUNK`` until nothing is due (or
    ``budget_s`` has passed; the sweeper queues more). Small chunks claimed in a loop
    keep several workers busy to the end: each claims as fast as it sends, instead of
    one worker holding most of a fan-out that its tasks claimed at once."""
    app = current_app
    chunk = int(app.config["ALERT_TASK_CHUNK"])
    deadline = time.monotonic() + budget_s
    total = 0
    while time.monotonic() < deadline:
        n = deliver_due(limit=chunk)
        total += n
        if n == 0:
            break
    return total


def sweep() -> int:
    """Dispatch, prune expired sign-ups, then give every due delivery a runner (Celery);
    how many are due."""
    dispatch()
    if _prune_due():
        prune()
    due = deliveries.due_count(db.session)
    db.session.rollback()
    kick(current_app, deliveries=due)
    return due


PRUNE_EVERY_S = 600.0  # expired sign-ups are no hurry: a sweep prunes at most this often
_last_prune = [0.0]


def _prune_due() -> bool:
    now = time.monotonic()
    if now - _last_prune[0] < PRUNE_EVERY_S:
        return False
    _last_prune[0] = now
    return True


def prune() -> tuple[int, int]:
    """Forget expired unconfirmed sign-ups (one unit of work); what was removed."""
    return unit_of_work.commit(db.session, lambda: subscriptions.prune_unconfirmed(db.session))


def _base(app: Flask) -> str:
    return str(app.config["BASE_URL"]).rstrip("/")


# --------------------------------------------------------------------------- sending


def _send_all(app: Flask, sends: list[Work], names: dict[str, str]) -> list[tuple[Work, Attempt]]:
    """Send a claimed chunk concurrently. What every send of one endpoint or one event
    shares is worked out once for the chunk: the endpoint's resolved and checked
    address (``ssrf.resolve``; the connected address is still checked per POST) and
    the event's JSON body."""
    allowed = allowed_hosts(app)
    base = _base(app)
    bodies: dict[int, str] = {}
    urls: dict[str, None] = {}
    for w in sends:
        if w.channel is Channel.WEBHOOK and w.kind is DeliveryKind.EVENT and w.events:
            urls[w.target] = None
            event = w.events[0]
            if event["event_id"] not in bodies:
                bodies[event["event_id"]] = json_dumps(deliveries.webhook_body(event, base))

    def resolve(url: str) -> ssrf.Target | ssrf.UnsafeURL:
        try:
            return ssrf.resolve(url, allowed)
        except ssrf.UnsafeURL as exc:
            return exc

    # Distinct endpoints resolve side by side (a slow name server holds up only its own).
    targets = dict(
        zip(
            urls,
            _pool(app).map(resolve, urls) if len(urls) > 1 else map(resolve, urls),
            strict=True,
        )
    )

    def one(w: Work) -> tuple[Work, Attempt]:
        try:
            if w.kind is DeliveryKind.CONFIRMATION:
                return w, _send_confirmation(app, w)
            if w.channel is Channel.WEBHOOK:
                return w, _send_webhook(
                    app, w, allowed, targets.get(w.target), bodies.get(w.events[0]["event_id"])
                )
            return w, _send_mail(app, w, names)
        except Exception as exc:  # a bug in one send must not lose the others' outcomes
            log.exception("delivery %s failed unexpectedly", w.delivery_ids)
            return w, Attempt(False, error=f"{type(exc).__name__}: {exc}"[:500])

    if len(sends) == 1:
        return [one(sends[0])]
    pool = _pool(app)
    return list(pool.map(one, sends))


def _pool(app: Flask) -> ThreadPoolExecutor:
    found: ThreadPoolExecutor | None = app.extensions.get("registry.alerts.pool")
    if found is None:
        found = ThreadPoolExecutor(
            max_workers=int(app.config["ALERT_CONCURRENCY"]), thread_name_prefix="registry-send"
        )
        app.extensions["registry.alerts.pool"] = found
    return found


def _send_webhook(
    app: Flask,
    w: Work,
    allowed: frozenset[str],
    target: ssrf.Target | ssrf.UnsafeURL | None,
    body: str | None,
) -> Attempt:
    if body is None:
        body = json_dumps(deliveries.webhook_body(w.events[0], _base(app)))
    out = webhook.post(
        w.target,
        w.secrets,
        w.webhook_id,
        body,
        allowed=allowed,
        timeout_s=float(app.config["WEBHOOK_TIMEOUT_S"]),
        target=target,
    )
    return Attempt(out.delivered, out.status_code, out.error, out.retry_after_s)


def _send_confirmation(app: Flask, w: Work) -> Attempt:
    """The double opt-in mail of a sign-up (nothing to do once it is confirmed)."""
    if not w.pending_confirmation:
        return Attempt(True, error="not sent: the subscription no longer waits for it")
    secret = app.config["SECRET_KEY"]
    confirm = subscriptions.link_token(secret, "confirm", w.subscription_id, w.target)
    refuse = subscriptions.link_token(secret, "unsubscribe", w.subscription_id, w.target)
    msg = mail.confirmation(
        sender=sender(app),
        to=w.target,
        filters=w.filters,
        confirm_url=_base(app) + CONFIRM_PATH + confirm,
        unsubscribe_url=_base(app) + UNSUBSCRIBE_PATH + refuse,
    )
    return _smtp(app, msg)


def _smtp(app: Flask, msg: Any) -> Attempt:
    try:
        note = mail.send(msg, app.config.get("SMTP_URL"))
    except mail.PermanentFailure as exc:
        return Attempt(False, error=str(exc)[:500], permanent=True)
    except (OSError, smtplib.SMTPException) as exc:
        return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:500])
    return Attempt(True, error=None if note.startswith("sent") else note)


def _send_mail(app: Flask, w: Work, names: dict[str, str]) -> Attempt:
    base = _base(app)
    token = subscriptions.link_token(
        app.config["SECRET_KEY"], "unsubscribe", w.subscription_id, w.target
    )
    items = [
        mail.item_from_event(
            e["type"],
            e["payload"] or {},
            names.get((e["payload"] or {}).get("profile", ""), "the profile"),
            base + (e["payload"] or {}).get("path", ""),
        )
        for e in w.events
    ]
    msg = mail.digest(
        items,
        sender=sender(app),
        to=w.target,
        unsubscribe_url=base + UNSUBSCRIBE_PATH + token,
        more_url=base + "/feeds/failures.atom",
    )
    return _smtp(app, msg)


# --------------------------------------------------------------------------- runners


class EmbeddedAlertRunner:
    """The background thread of the web process that runs the tasks (no broker)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._loop, name="registry-alerts", daemon=True
                )
                self._thread.start()

    def wake(self) -> None:
        """Run a round now, if the runner was started (by a request or ``flask worker``:
        a short-lived CLI command leaves delivery to the web process)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def run_once(self) -> int:
        """Dispatch, then deliver until nothing is due; how many deliveries were claimed.

        Delivery runs in ``ALERT_LANES`` lanes, each claiming its own chunks, so that one
        lane's database work (claiming, recording) overlaps another's sending.
        """
        with self.app.app_context():
            try:
                dispatch()
                if _prune_due():
                    prune()
            except Exception:  # the events stay; the next round retries
                log.exception("alert fan-out failed")
            finally:
                db.session.remove()
        lanes = int(self.app.config["ALERT_LANES"])
        if lanes <= 1:
            return self._lane()
        with ThreadPoolExecutor(lanes, thread_name_prefix="registry-lane") as pool:
            return sum(pool.map(lambda _: self._lane(), range(lanes)))

    def _lane(self) -> int:
        claimed = 0
        with self.app.app_context():
            try:
                while not self._stop.is_set():
                    n = deliver_due()
                    claimed += n
                    if n == 0:
                        break
            except Exception:  # the rows stay; the next round retries
                log.exception("alert delivery round failed")
            finally:
                db.session.remove()
        return claimed

    def _loop(self) -> None:
        poll = float(self.app.config["ALERT_POLL_S"])
        while not self._stop.is_set():
            self.run_once()
            self._wake.wait(poll)
            self._wake.clear()

    def loop_forever(self) -> None:
        """Run in the foreground (``flask worker`` without a broker) until stopped."""
        self._thread = threading.current_thread()
        self._loop()


def kick(app: Flask, *, dispatch: bool = False, deliveries: int = 0) -> None:
    """Make sure work that a commit made is run soon (call after the commit)."""
    app = getattr(app, "_get_current_object", lambda: app)()  # threads need the app itself
    mode = app.extensions.get("registry.alerts")
    if mode is None:
        return
    try:
        if isinstance(mode, EmbeddedAlertRunner):
            if dispatch or deliveries:
                mode.wake()
            return
        chunk = int(app.config["ALERT_CHUNK"])
        if dispatch:
            mode.send_task("registry.alerts.dispatch")
        for _ in range(math.ceil(deliveries / chunk)):
            mode.send_task("registry.alerts.deliver_due")
    except Exception:  # the broker is down: the sweeper finds the rows later
        log.exception("could not enqueue alert work")


# --------------------------------------------------------------------------- hooks


def _noticed_outbox(state: ORMExecuteState) -> None:
    stmt = state.statement
    if state.is_insert and getattr(stmt, "table", None) is _OUTBOX:
        state.session.info[_FLAG] = True


def _before_flush(session: Session, *_: Any) -> None:
    if any(isinstance(obj, OutboxEvent) for obj in session.new):
        session.info[_FLAG] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        try:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        except RuntimeError:
            return
        kick(app, dispatch=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


_hooked = False


def _hook_sessions() -> None:
    global _hooked
    if _hooked:
        return
    event.listen(Session, "do_orm_execute", _noticed_outbox)
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    _hooked = True


def init_app(app: Flask) -> None:
    """Choose how alerts run: Celery with a broker, else the embedded thread, which
    starts with the first request (``ALERT_WORKER=off`` runs neither)."""
    _hook_sessions()
    if str(app.config["ALERT_WORKER"]).lower() == "off":
        return
    if app.config.get("BROKER_URL"):
        from registry.tasks.celery import celery_init_app

        app.extensions["registry.alerts"] = celery_init_app(app)
        return
    runner = EmbeddedAlertRunner(app)
    app.extensions["registry.alerts"] = runner
    app.before_request(lambda: runner.start())
