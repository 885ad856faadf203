"""Talking to a receiver safely: which addresses may be called (no SSRF), the signature, and one
HTTP POST that connects to the address it checked.

A URL is refused unless it is http(s) and every address its host resolves to is public: loopback,
private, link-local (169.254.169.254, the cloud metadata service), multicast, reserved, unspecified
and shared (carrier-grade NAT) addresses are refused, IPv4-mapped IPv6 too, unless
FORUM_WEBHOOK_ALLOW_PRIVATE is on (tests, intranets). The check runs at registration and again
before every attempt; the connection then goes to the very address that was checked (the Host
header and TLS server name carry the host name), so a DNS answer that changes between the check and
the connection (DNS rebinding) cannot point it elsewhere. Redirects are not followed (a 3xx is a
failed attempt), the whole attempt has FORUM_WEBHOOK_TIMEOUT seconds, and at most
RESPONSE_BODY_MAX bytes of the answer are read.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

RESPONSE_BODY_MAX = 16 * 1024
SIGNATURE_HEADER = "Forum-Signature"
USER_AGENT = "SupportCommunity-Webhooks/1"
TOLERANCE_SECONDS = 300  # what the README tells receivers to accept


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why, in the reader's language."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The Forum-Signature header's value: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (the README shows the same in a few lines): the signature matches the
    body and the time is within `tolerance` seconds of now."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def allow_private() -> bool:
    return bool(current_app.config.get("FORUM_WEBHOOK_ALLOW_PRIVATE"))


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified or not address.is_global)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (for the Host header and TLS), lower case, IDNA for the wire
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # checked, in the resolver's order


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL, or UnsafeURL."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL(_("Enter the address to send events to."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeURL(_("This is not a valid address.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(_("Only http:// and https:// addresses can receive webhooks."))
    if not parts.hostname:
        raise UnsafeURL(_("The address needs a host name."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Put no user name or password in the address; the signature proves the sender."))
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url.strip()):
        raise UnsafeURL(_("This is not a valid address."))
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Check `url` and resolve its host; every address must be public unless private ones are
    allowed. Raises UnsafeURL."""
    scheme, host, port, path = parse_url(url)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            wire_host = host.encode("idna").decode("ascii")
            infos = socket.getaddrinfo(wire_host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise UnsafeURL(_("The host name %(host)s could not be resolved.", host=host)) from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not addresses:
            raise UnsafeURL(_("The host name %(host)s could not be resolved.", host=host))
    if not allow_private():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not is_public_address(ip):
                raise UnsafeURL(_("%(host)s leads to a private, loopback, link-local or reserved address "
                                  "(%(address)s): webhooks go to public addresses only.", host=host, address=address))
    return Target(scheme, host, port, path, tuple(addresses))


@dataclass
class Outcome:
    status: int | None  # the HTTP status, or None when no answer came
    duration_ms: int
    error: str  # "" on success

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a given IP address, with the host name for SNI and certificate checking."""

    def __init__(self, address: str, port: int, server_name: str, timeout: float, context: ssl.SSLContext):
        super().__init__(address, port, timeout=timeout, context=context)
        self._server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST `body` to `url` once: checked and resolved now, connected to a checked address,
    redirects not followed, at most `timeout` seconds in all, at most RESPONSE_BODY_MAX bytes read."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
    except UnsafeURL as refusal:
        return Outcome(None, elapsed_ms(), f"refused: {refusal}")
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    if target.port != default_port:
        host_header += f":{target.port}"
    send_headers = {"Host": host_header, "User-Agent": USER_AGENT, "Content-Type": "application/json; charset=utf-8",
                    "Content-Length": str(len(body)), **headers}
    last_error = ""
    for address in target.addresses:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            break
        if target.scheme == "https":
            connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
                address, target.port, target.host, remaining, ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(address, target.port, timeout=remaining)
        try:
            connection.connect()
        except OSError as error:
            last_error = f"connect to {address}: {error}"
            connection.close()
            continue
        try:
            connection.request("POST", target.path, body=body, headers=send_headers)
            response = connection.getresponse()
            _read_capped(connection, response, started, timeout)
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            return Outcome(None, elapsed_ms(), f"{type(error).__name__}: {error}"[:500])
        finally:
            connection.close()
        error = "" if 200 <= status < 300 else (
            f"HTTP {status} (redirects are not followed)" if 300 <= status < 400 else f"HTTP {status}")
        return Outcome(status, elapsed_ms(), error)
    return Outcome(None, elapsed_ms(), (last_error or "timed out")[:500])


def _read_capped(connection: http.client.HTTPConnection, response: http.client.HTTPResponse, started: float,
                 timeout: float) -> None:
    """Read (and drop) at most RESPONSE_BODY_MAX bytes of the answer, within the attempt's time."""
    read = 0
    while read < RESPONSE_BODY_MAX:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise TimeoutError("the answer took too long")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(min(4096, RESPONSE_BODY_MAX - read))
        if not chunk:
            return
        read += len(chunk)


def timeout_seconds() -> float:
    return float(current_app.config.get("FORUM_WEBHOOK_TIMEOUT") or 5)
