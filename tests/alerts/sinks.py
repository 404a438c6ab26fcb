"""Real receivers for alert tests: an HTTP webhook sink on loopback that verifies every
POST with the ``standardwebhooks`` verifier, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: Any  # the parsed payload when the signature verified, else None
    error: str | None
    at: float


class _Server(ThreadingHTTPServer):
    """A receiver with a listen backlog like a production server's (Python's default is
    5): eight worker threads posting at once on a loaded machine would otherwise find
    the queue full, their SYNs dropped, and connects timing out into retries."""

    request_queue_size = 128
    daemon_threads = True


@dataclass
class WebhookSink:
    """Answers each POST with ``respond(n)`` (n counts from 1): a status code, or a
    (status, headers) pair; records what came and whether its signature verified."""

    secret: str | None = None
    respond: Callable[[int], Any] = lambda n: 200
    hold: threading.Event | None = None  # while set... requests wait for it to be cleared
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, error = None, None
                if sink.secret:
                    try:
                        verified = Webhook(sink.secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        error = str(exc)
                with sink._lock:
                    sink.received.append(Received(headers, body, verified, error, time.monotonic()))
                    n = len(sink.received)
                if sink.hold is not None:
                    while sink.hold.is_set():
                        time.sleep(0.05)
                answer = sink.respond(n)
                status, extra = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"sink got {len(self.received)} of {count} posts")

    def close(self) -> None:
        if self.hold is not None:
            self.hold.clear()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class SmtpSink:
    """aiosmtpd on loopback; ``url`` is what REGISTRY_SMTP_URL takes."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def wait(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"SMTP sink got {len(self.messages)} of {count} mails")

    def close(self) -> None:
        self.controller.stop()
