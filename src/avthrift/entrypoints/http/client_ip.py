import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from litestar.types import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: Iterable[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def peer_is_trusted_proxy(scope: Scope, proxies: tuple[str, ...]) -> bool:
    client = scope.get("client")
    return client is not None and _is_trusted(client[0], trusted_networks(proxies))


def client_ip(scope: Scope, proxies: tuple[str, ...]) -> str:
    """The caller's address. `X-Forwarded-For` counts only when the peer is a trusted proxy, and
    then the right-most address not itself a trusted proxy wins (a client can prepend anything)."""
    client = scope.get("client")
    peer = client[0] if client is not None else "unknown"
    networks = trusted_networks(proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded.extend(part.strip() for part in value.decode("latin-1").split(","))
    for address in reversed(forwarded):
        if address and not _is_trusted(address, networks):
            return address
    return peer
