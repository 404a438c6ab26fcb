"""The private-address guard for webhook URLs (server-side request forgery).

A subscriber chooses the URL the registry POSTs to, so a URL could point the registry
at its own loopback services or the hosting network. The URL's host is resolved and
every address it resolves to must be public: loopback, private, link-local, multicast,
reserved and unspecified addresses are refused unless the host (or ``host:port``) is
listed in ``REGISTRY_WEBHOOK_ALLOWED_HOSTS``. Delivery connects to an address checked
here, never to the name again, so a name that resolves to a public address at sign-up
and to 127.0.0.1 later (DNS rebinding) is refused at delivery.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

SCHEMES = ("http", "https")


class UnsafeURL(Exception):
    """The URL is malformed or reaches an address the guard refuses."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a webhook POST goes: the URL as given and the checked address to connect to."""

    url: httpx.URL
    host: str
    port: int
    address: str


def parse_allowed(value: str | Iterable[str] | None) -> frozenset[str]:
    """``REGISTRY_WEBHOOK_ALLOWED_HOSTS``: comma-separated ``host`` or ``host:port``."""
    items = value.split(",") if isinstance(value, str) else (value or ())
    return frozenset(item.strip().lower() for item in items if item.strip())


def parse(url: str) -> httpx.URL:
    """A syntactically usable http(s) URL with a host, or ``UnsafeURL``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeURL(f"not a URL: {exc}") from None
    if parsed.scheme not in SCHEMES:
        raise UnsafeURL("the URL must start with http:// or https://")
    if not parsed.host:
        raise UnsafeURL("the URL has no host")
    return parsed


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def is_allowed(host: str, port: int, allowed: frozenset[str]) -> bool:
    host = host.lower()
    return host in allowed or f"{host}:{port}" in allowed


def resolve(url: str, allowed: frozenset[str]) -> Target:
    """Parse and resolve ``url``; the first address that passes the guard, or ``UnsafeURL``."""
    parsed = parse(url)
    host, port = parsed.host, _port(parsed)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"the host {host!r} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    exempt = is_allowed(host, port, allowed)
    refused = [a for a in addresses if not exempt and not is_public(a)]
    if refused:
        # Any private answer refuses the name: a client could be steered to it.
        raise UnsafeURL(
            f"the host {host!r} resolves to a non-public address ({refused[0]}); "
            "only hosts listed in REGISTRY_WEBHOOK_ALLOWED_HOSTS may"
        )
    if not addresses:
        raise UnsafeURL(f"the host {host!r} has no address")
    return Target(url=parsed, host=host, port=port, address=addresses[0])


def check_connected(target: Target, address: str | None, allowed: frozenset[str]) -> None:
    """After connecting: the peer must be the address checked, or pass the guard itself."""
    if address is None or address == target.address:
        return
    if not (is_allowed(target.host, target.port, allowed) or is_public(address)):
        raise UnsafeURL(f"connected to a non-public address ({address})")
