"""The SSRF guard: which URLs the server may call, checked when an endpoint is registered and
again before every delivery (a name may resolve elsewhere by then).

Outside development and testing (`WEBHOOKS_ALLOW_PRIVATE_URLS` off) only `https://` is
accepted and every address the host resolves to must be public: loopback, private,
link-local (the cloud metadata address 169.254.169.254 included), shared, multicast,
reserved and unspecified addresses are refused, as are IPv4 addresses wrapped in IPv6.
Redirects are never followed when delivering (see `sender`), so a public URL cannot bounce
the request inside.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app

from deltacrown.webhooks.errors import UnsafeUrlError

Resolver = Callable[[str, int], list[str]]


def allows_private() -> bool:
    """Development and testing may deliver to http:// and to local receivers."""
    configured = current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_URLS")
    if configured is not None:
        return bool(configured)
    return current_app.config.get("ENV_NAME") in ("development", "testing")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            address = mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


def check_url(url: str, *, resolver: Resolver = resolve) -> None:
    """Raise `UnsafeUrlError` unless the server may deliver to `url`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrlError(f"Not a valid URL: {exc}") from exc
    private_ok = allows_private()
    schemes = ("http", "https") if private_ok else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeUrlError(f"The URL must start with {' or '.join(s + '://' for s in schemes)}")
    if not parts.hostname:
        raise UnsafeUrlError("The URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrlError("The URL may not carry a user name or password")
    if private_ok:
        return
    try:
        addresses = resolver(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrlError(f"The host {parts.hostname} does not resolve") from exc
    if not addresses:
        raise UnsafeUrlError(f"The host {parts.hostname} does not resolve")
    refused = [a for a in addresses if not is_public_address(a)]
    if refused:
        raise UnsafeUrlError(
            f"The host {parts.hostname} resolves to an address the server may not call "
            f"({', '.join(refused)})"
        )
