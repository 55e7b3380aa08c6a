from datetime import datetime

from avthrift.domain.identity.errors import InvalidLinkError
from avthrift.domain.identity.links import IdentityPolicy, decode_uid, link_state
from avthrift.domain.identity.model import User
from avthrift.domain.identity.ports import LinkPurpose, LinkTokens, UserRepository


async def user_from_link(
    users: UserRepository,
    tokens: LinkTokens,
    policy: IdentityPolicy,
    purpose: LinkPurpose,
    uid: str,
    token: str,
    now: datetime,
) -> User:
    """The user an emailed link acts on, or `InvalidLinkError` (unknown, expired or spent)."""
    user = await users.get(decode_uid(uid))
    if user is None or not user.is_active:
        raise InvalidLinkError
    if not tokens.check(purpose, user.id, link_state(purpose, user), token, now, policy.ttl(purpose)):
        raise InvalidLinkError
    return user
