"""Alert mail: the digest of failures, the sign-up confirmation, and SMTP.

Every alert mail is plain text plus HTML, says what failed and why in a sentence per
failing rule ("Lead 2.1 µg/g is over Utah R70-580's limit of 1.2 µg/g, R70-580-5") with
the batch's link, and carries a one-click unsubscribe link in the body and in the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058): a mail client
POSTs ``List-Unsubscribe=One-Click`` to that URL.

``REGISTRY_SMTP_URL``: ``smtp://[user:password@]host[:port]`` (plain, STARTTLS when
``?starttls=1`` or the scheme is ``smtp+starttls``), or ``smtps://`` for TLS from the
first byte; ``AUTH`` when a user is given. Unset: mail is logged, not sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment

log = logging.getLogger(__name__)

UNITS = {"ug/g": "µg/g", "ug/kg": "µg/kg", "ug": "µg"}
DIGEST_LIMIT = 50  # batches listed in one mail; the rest are counted and linked

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_text_env = Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True)  # noqa: S701 - plain text


@dataclass(frozen=True, slots=True)
class Item:
    """One event of a digest, resolved for people: names, sentences, link."""

    kind: str  # batch.failed / batch.recovered
    vendor: str
    product: str | None
    lot: str
    profile: str  # the profile's name
    reasons: tuple[str, ...]
    url: str


def unit(text: str | None) -> str:
    return UNITS.get(text or "", text or "")


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def reason(failure: Mapping[str, Any], profile_name: str) -> str:
    """One failing rule in a sentence, with its source."""
    analyte = str(failure.get("analyte") or "a result").replace("_", " ")
    analyte = analyte[:1].upper() + analyte[1:]
    source = failure.get("source")
    value, limit = failure.get("value"), failure.get("limit")
    if value is not None and limit is not None and failure.get("op") in ("<=", "<", None):
        text = (
            f"{analyte} {_number(value)} {unit(failure.get('unit'))} is over "
            f"{profile_name}'s limit of {_number(limit)} {unit(failure.get('unit'))}"
        )
    else:
        text = f"{failure.get('message') or analyte + ' fails'} under {profile_name}"
    return f"{text}, {source}" if source else text


def item_from_event(kind: str, payload: Mapping[str, Any], profile_name: str, url: str) -> Item:
    batch = payload.get("batch") or {}
    return Item(
        kind=kind,
        vendor=str(batch.get("vendor") or ""),
        product=batch.get("product"),
        lot=str(batch.get("lot") or ""),
        profile=profile_name,
        reasons=tuple(reason(f, profile_name) for f in payload.get("failures") or ()),
        url=url,
    )


def _subject(items: Sequence[Item]) -> str:
    failed = [i for i in items if i.kind == "batch.failed"]
    if len(items) == 1:
        i = items[0]
        verb = "failed" if i.kind == "batch.failed" else "passes again"
        return f"Batch {i.lot} of {i.vendor} {verb} ({i.profile})"
    return f"{len(failed)} batches failed, {len(items) - len(failed)} recovered"


_TEXT = _text_env.from_string("""\
{% for i in items %}
{{ i.vendor }}{% if i.product %}, {{ i.product }}{% endif %}, lot {{ i.lot }}: \
{{ "FAILED" if i.kind == "batch.failed" else "no longer fails" }} under {{ i.profile }}
{% for r in i.reasons %}
  - {{ r }}
{% endfor %}
  {{ i.url }}

{% endfor %}
{% if more %}...and {{ more }} more: {{ more_url }}

{% endif %}
--
You get this because you subscribed to failure alerts of the kratom COA registry.
Unsubscribe with one click: {{ unsubscribe_url }}
""")

_HTML = _env.from_string("""\
<!doctype html><html><body>
{% for i in items %}
<h3>{{ i.vendor }}{% if i.product %}, {{ i.product }}{% endif %}, lot {{ i.lot }}:
{{ "failed" if i.kind == "batch.failed" else "no longer fails" }} under {{ i.profile }}</h3>
<ul>{% for r in i.reasons %}<li>{{ r }}</li>{% endfor %}</ul>
<p><a href="{{ i.url }}">{{ i.url }}</a></p>
{% endfor %}
{% if more %}<p>...and {{ more }} more: <a href="{{ more_url }}">{{ more_url }}</a></p>{% endif %}
<hr><p><small>You get this because you subscribed to failure alerts of the kratom COA
registry. <a href="{{ unsubscribe_url }}">Unsubscribe</a> with one click.</small></p>
</body></html>
""")


def digest(
    items: Sequence[Item], *, sender: str, to: str, unsubscribe_url: str, more_url: str
) -> EmailMessage:
    """One mail for every event a subscriber collected within the digest window."""
    shown = list(items[:DIGEST_LIMIT])
    context = {
        "items": shown,
        "more": len(items) - len(shown),
        "more_url": more_url,
        "unsubscribe_url": unsubscribe_url,
    }
    msg = _message(sender, to, _subject(items))
    _unsubscribe_headers(msg, unsubscribe_url)
    msg.set_content(_TEXT.render(**context))
    msg.add_alternative(_HTML.render(**context), subtype="html")
    return msg


def confirmation(
    *, sender: str, to: str, confirm_url: str, unsubscribe_url: str, filters: Mapping[str, Any]
) -> EmailMessage:
    """The double opt-in mail: nothing else is sent to the address until it is followed.
    Like every mail, it can be refused with one click (which drops the sign-up)."""
    wanted = ", ".join(f"{k} {v}" for k, v in sorted(filters.items())) or "every failing batch"
    msg = _message(sender, to, "Confirm your kratom COA registry failure alerts")
    _unsubscribe_headers(msg, unsubscribe_url)
    msg.set_content(
        f"Someone (we hope you) asked for failure alerts of the kratom COA registry "
        f"({wanted}) to be sent to this address.\n\nConfirm: {confirm_url}\n\n"
        "If it was not you, ignore this mail: nothing more will be sent.\n"
    )
    msg.add_alternative(
        _env.from_string(
            "<p>Someone (we hope you) asked for failure alerts of the kratom COA registry "
            '({{ wanted }}) to be sent to this address.</p><p><a href="{{ url }}">Confirm '
            "the alerts</a></p><p>If it was not you, ignore this mail: nothing more will be "
            "sent.</p>"
        ).render(wanted=wanted, url=confirm_url),
        subtype="html",
    )
    return msg


def _unsubscribe_headers(msg: EmailMessage, url: str) -> None:
    """RFC 8058: the link, and that a POST of ``List-Unsubscribe=One-Click`` to it works."""
    msg["List-Unsubscribe"] = f"<{url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def _message(sender: str, to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


class PermanentFailure(Exception):
    """The server refused the recipient for good (a 5xx): retrying will not help."""


def send(msg: EmailMessage, smtp_url: str | None, *, timeout_s: float = 30.0) -> str:
    """Send ``msg``; what happened in a few words. Raises ``smtplib.SMTPException`` or
    ``OSError`` for trouble worth retrying, ``PermanentFailure`` otherwise."""
    if not smtp_url:
        log.info(
            "mail (no REGISTRY_SMTP_URL, not sent): to=%s subject=%s", msg["To"], msg["Subject"]
        )
        return "logged (no SMTP_URL)"
    parts = urlsplit(smtp_url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    starttls = parts.scheme == "smtp+starttls" or query.get("starttls") in ("1", "true", "yes")
    host, port = parts.hostname or "127.0.0.1", parts.port or (465 if tls else 25)
    context = ssl.create_default_context()
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout_s, context=context)
        if tls
        else smtplib.SMTP(host, port, timeout=timeout_s)
    )
    try:
        if starttls:
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        try:
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes}") from None
            raise
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return f"sent via {host}:{port}"
