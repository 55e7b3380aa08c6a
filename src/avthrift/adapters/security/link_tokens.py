import hashlib
import hmac
from datetime import datetime, timedelta

from avthrift.domain.identity.ports import LinkPurpose, LinkTokens


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


class HmacLinkTokens(LinkTokens):
    """`<base36 issue time>-<HMAC-SHA256>` over purpose, user, bound state and issue time: like
    Django's password-reset tokens, a token dies when the state it was bound to changes."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"avthrift.link-tokens|" + secret.encode()).digest()

    def _mac(self, purpose: LinkPurpose, user_id: int, state: str, issued: int) -> str:
        message = f"{purpose}|{user_id}|{issued}|{state}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    def make(self, purpose: LinkPurpose, user_id: int, state: str, now: datetime) -> str:
        issued = int(now.timestamp())
        return f"{_base36(issued)}-{self._mac(purpose, user_id, state, issued)}"

    def check(
        self, purpose: LinkPurpose, user_id: int, state: str, token: str, now: datetime, max_age: timedelta
    ) -> bool:
        stamp, _, mac = token.partition("-")
        try:
            issued = int(stamp, 36)
        except ValueError:
            return False
        if not hmac.compare_digest(mac, self._mac(purpose, user_id, state, issued)):
            return False
        age = now.timestamp() - issued
        return 0 <= age <= max_age.total_seconds()
