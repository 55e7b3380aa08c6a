from typing import Any

from avthrift.entrypoints.http.client_ip import client_ip


def scope(peer: str, forwarded: str | None = None) -> Any:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_forwarded_header_is_ignored_without_trusted_proxies() -> None:
    assert client_ip(scope("203.0.113.9", "1.2.3.4"), ()) == "203.0.113.9"


def test_forwarded_header_is_ignored_from_an_untrusted_peer() -> None:
    assert client_ip(scope("203.0.113.9", "1.2.3.4"), ("10.0.0.0/8",)) == "203.0.113.9"


def test_trusted_proxy_gives_the_rightmost_untrusted_address() -> None:
    # The client prepended a forged 1.2.3.4; the proxy appended the real address.
    forwarded = "1.2.3.4, 198.51.100.7, 10.0.0.5"
    assert client_ip(scope("10.0.0.1", forwarded), ("10.0.0.0/8",)) == "198.51.100.7"


def test_trusted_proxy_without_forwarded_header_is_the_client() -> None:
    assert client_ip(scope("10.0.0.1"), ("10.0.0.1",)) == "10.0.0.1"


def test_missing_client_is_unknown() -> None:
    assert client_ip({"type": "http", "client": None, "headers": []}, ()) == "unknown"
