"""Where result downloads may go: never to loopback, private or otherwise special addresses.

A hostile or compromised service could name `http://127.0.0.1:6379/` or the cloud
metadata address `169.254.169.254` as "the result", making the app fetch from the user's
own machine or network and save the answer as an image (SSRF). Result links (and every
redirect hop) must resolve to public addresses, unless they point at the configured
endpoint's own origin (host and port): the sandbox and LAN gateways serve results there.

Checked twice: `check_url` before each hop (every spelling of an address: "2130706433",
"0x7f.1", "[::ffff:127.0.0.1]"...), and again at connect time by `GuardedBackend`, which
resolves the name itself and connects only to a vetted address, so DNS that answers
differently the second time (rebinding) cannot slip through. POSTs to the endpoint carry
no guard: the user chose that address.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(ValueError):
    """A result link names an address the app will not fetch from."""


def literal_ip(host: str) -> IPAddress | None:
    """The address a host string spells literally, in any spelling getaddrinfo accepts."""
    host = host.strip().strip("[]")
    host = host.split("%", 1)[0]  # an IPv6 zone id
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:  # inet_aton accepts "127.1", "0x7f.0.0.1", "017700000001", "2130706433"
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return None


def special_address(ip: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified, or an IPv6 form
    that embeds one of those."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and special_address(embedded):
            return True
    return (not ip.is_global or ip.is_multicast or ip.is_loopback or ip.is_link_local
            or ip.is_private or ip.is_reserved or ip.is_unspecified)


def _loopback_name(host: str) -> bool:
    if host.rstrip(".") == "localhost":
        return True
    ip = literal_ip(host)
    return ip is not None and ip.is_loopback


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


@dataclass
class DownloadGuard:
    """The policy of one download: the endpoint's origin is trusted, other special
    addresses are not. `refused` says what was refused (for the error message)."""

    trusted_host: str
    trusted_port: int
    refused: str = ""

    @classmethod
    def for_endpoint(cls, base_url: str) -> DownloadGuard:
        parts = urlsplit(base_url)
        return cls((parts.hostname or "").lower(), _port(parts.scheme.lower(), parts.port))

    def trusts(self, host: str, port: int) -> bool:
        host = host.lower().strip("[]")
        if port != self.trusted_port or not self.trusted_host:
            return False
        if host == self.trusted_host:
            return True
        if _loopback_name(host) and _loopback_name(self.trusted_host):
            return True  # "localhost" and "127.0.0.1" name the same sandbox
        a, b = literal_ip(host), literal_ip(self.trusted_host)
        return a is not None and a == b

    def permits(self, host: str, port: int, ip: IPAddress) -> bool:
        if self.trusts(host, port) or not special_address(ip):
            return True
        self.refused = str(ip)
        return False


_GUARD: contextvars.ContextVar[DownloadGuard | None] = contextvars.ContextVar(
    "qwen_studio_download_guard", default=None)


def current_guard() -> DownloadGuard | None:
    return _GUARD.get()


def set_guard(guard: DownloadGuard | None) -> contextvars.Token[DownloadGuard | None]:
    return _GUARD.set(guard)


def reset_guard(token: contextvars.Token[DownloadGuard | None]) -> None:
    _GUARD.reset(token)


async def _resolve(host: str, port: int) -> list[IPAddress]:
    ip = literal_ip(host)
    if ip is not None:
        return [ip]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[IPAddress] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]
        try:
            out.append(ipaddress.ip_address(addr))
        except ValueError:
            continue
    return out


async def check_url(url: str, guard: DownloadGuard) -> None:
    """Raise AddressRefused unless `url` may be fetched under `guard` (resolves its name).
    A name that does not resolve is left for the connection to report."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = _port(parts.scheme.lower(), parts.port)
    except ValueError:
        raise AddressRefused("the result link has an invalid port") from None
    if guard.trusts(host, port):
        return
    try:
        addresses = await _resolve(host, port)
    except (OSError, UnicodeError):
        return
    for ip in addresses:
        if not guard.permits(host, port, ip):
            raise AddressRefused(f"the result link points at a private address ({ip})")


class GuardedBackend:
    """An httpcore network backend that vets the address of every new connection made
    while a DownloadGuard is set, and connects to that vetted address itself."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> Any:
        guard = _GUARD.get()
        if guard is None or guard.trusts(host, port):
            return await self._inner.connect_tcp(host, port, timeout=timeout,
                                                 local_address=local_address,
                                                 socket_options=socket_options)
        import httpcore

        try:
            addresses = await _resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(str(exc)) from None
        allowed = [ip for ip in addresses if guard.permits(host, port, ip)]
        if len(allowed) != len(addresses) or not allowed:
            raise httpcore.ConnectError(f"refused to connect to a private address "
                                        f"({guard.refused or host})")
        return await self._inner.connect_tcp(str(allowed[0]), port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        return await self._inner.connect_unix_socket(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
