"""The SSRF guard for webhook URLs (checklist WH-1), applied when a subscription is registered
and again before every delivery attempt.

A URL passes when it is https (plain http only with HAWIYA_WEBHOOKS__ALLOW_PRIVATE_NETWORKS), has
no user info, names its host in a canonical form (a DNS name or a canonical IP literal: no
"127.1", "2130706433" or "0x7f000001" spellings), uses an allowed port, and every address its
host resolves to is public. The caller then connects to the address that was checked, never
resolving again, so a DNS answer that changes between check and connect (rebinding) cannot
steer the request.

With allow_private_networks on, loopback, RFC 1918, CGNAT and unique-local receivers are let
through, on any port, over http too; link-local (cloud metadata lives there), multicast,
reserved, documentation, IPv4-mapped and NAT64 addresses are refused whatever the setting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Refused whatever the setting. Cloud metadata first: AWS/GCP/Azure 169.254.169.254 (inside
# link-local), Alibaba 100.100.100.200 (inside CGNAT), AWS IPv6 fd00:ec2::254 (inside ULA).
METADATA = _nets("169.254.169.254/32", "100.100.100.200/32", "fd00:ec2::254/128")
ALWAYS_BLOCKED = _nets(
    "0.0.0.0/8",  # "this network"
    "169.254.0.0/16",  # link-local
    "192.0.0.0/24",  # IETF protocol assignments
    "192.0.2.0/24",  # documentation
    "198.18.0.0/15",  # benchmarking
    "198.51.100.0/24",  # documentation
    "203.0.113.0/24",  # documentation
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, broadcast
    "::/128",  # unspecified
    "::ffff:0:0/96",  # IPv4-mapped
    "64:ff9b::/96",  # NAT64
    "64:ff9b:1::/48",  # local-use NAT64
    "100::/64",  # discard
    "2001::/32",  # Teredo (embeds an IPv4 address)
    "2001:db8::/32",  # documentation
    "2002::/16",  # 6to4 (embeds an IPv4 address)
    "fe80::/10",  # link-local
    "ff00::/8",  # multicast
)
# Let through only with allow_private_networks.
PRIVATE = _nets(
    "10.0.0.0/8",
    "100.64.0.0/10",  # CGNAT
    "127.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "::1/128",
    "fc00::/7",  # unique local
)

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NUMERIC_LABEL = re.compile(r"^(?:\d+|0x[0-9a-f]*)$")


class UrlRefused(ValueError):
    """The URL may not receive webhooks; `reason` is a short machine-readable word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the one address to connect to."""

    url: httpx.URL
    host: str  # ASCII (IDNA) host name or IP literal, as checked
    port: int
    address: str

    def pinned_url(self) -> httpx.URL:
        return self.url.copy_with(host=self.address, fragment=None)

    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def address_problem(address: IPAddress, allow_private: bool) -> str | None:
    """Why this address may not receive webhooks, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return "scoped IPv6 address"
    if any(address in net for net in METADATA):
        return "cloud metadata address"
    if any(address in net for net in ALWAYS_BLOCKED):
        return "non-routable or special-purpose address"
    if any(address in net for net in PRIVATE):
        return None if allow_private else "private or loopback address"
    if not address.is_global:
        return "address that is not public"
    return None


class UrlGuard:
    def __init__(
        self,
        *,
        allow_private: bool,
        allowed_ports: Sequence[int] = (443,),
        resolver: Resolver = system_resolver,
        resolve_timeout: float = 5.0,
    ) -> None:
        self.allow_private = allow_private
        self.allowed_ports = tuple(allowed_ports)
        self.resolver = resolver
        self.resolve_timeout = resolve_timeout

    def parse(self, raw: str) -> tuple[httpx.URL, str, int, IPAddress | None]:
        """The checks that need no DNS: scheme, user info, host spelling, port."""
        if any(ord(c) < 0x21 or c in "\\\x7f" for c in raw):
            raise UrlRefused("malformed", "the URL contains spaces, control characters or '\\'")
        try:
            url = httpx.URL(raw)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise UrlRefused("malformed", "the URL cannot be parsed") from None
        schemes = ("https", "http") if self.allow_private else ("https",)
        if url.scheme not in schemes:
            raise UrlRefused("scheme", "the URL must use https")
        if url.userinfo:
            raise UrlRefused("userinfo", "the URL may not carry a user name or password")
        try:
            host = url.raw_host.decode("ascii").lower()
        except UnicodeDecodeError:
            raise UrlRefused("host", "the host name is not valid") from None
        if not host:
            raise UrlRefused("host", "the URL has no host")
        port = url.port or (443 if url.scheme == "https" else 80)
        if not self.allow_private and port not in self.allowed_ports:
            allowed = ", ".join(str(p) for p in self.allowed_ports)
            raise UrlRefused("port", f"the port must be one of: {allowed}")
        literal: IPAddress | None
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is None:
            name = host.removesuffix(".")
            labels = name.split(".")
            if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
                raise UrlRefused("host", "the host name is not valid")
            if _NUMERIC_LABEL.match(labels[-1]):
                # WHATWG URL parsers read these as IPv4 numbers ("127.1", "0x7f000001").
                raise UrlRefused("host", "the host is a non-canonical IP address")
            if not self.allow_private and (name == "localhost" or name.endswith(".localhost")):
                raise UrlRefused("address", "the host is localhost")
            host = name
        elif str(literal) != host:
            raise UrlRefused("host", "the host is a non-canonical IP address")
        return url, host, port, literal

    async def check(self, raw: str) -> Target:
        """Parse, resolve and check every address; the Target names the address to use."""
        url, host, port, literal = self.parse(raw)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                async with asyncio.timeout(self.resolve_timeout):
                    addresses = await self.resolver(host, port)
            except (OSError, TimeoutError, UnicodeError):
                raise UrlRefused("dns", f"the host {host} does not resolve") from None
            if not addresses:
                raise UrlRefused("dns", f"the host {host} does not resolve")
        for text in addresses:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise UrlRefused("dns", f"the host {host} resolves to {text!r}") from None
            problem = address_problem(address, self.allow_private)
            if problem is not None:
                raise UrlRefused("address", f"the host reaches a {problem} ({address})")
        return Target(url=url, host=host, port=port, address=addresses[0])
