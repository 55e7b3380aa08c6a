from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.identity import UserRow
from avthrift.domain.identity.model import NewUser, User
from avthrift.domain.identity.ports import UserRepository

_FIELDS = (
    "username",
    "email",
    "password_hash",
    "first_name",
    "last_name",
    "phone",
    "email_verified",
    "pending_email",
    "is_staff",
    "is_active",
    "date_joined",
)


def _storable(value: str) -> bool:
    """PostgreSQL text cannot hold NUL: no stored identifier contains one, so nothing can match."""
    return "\x00" not in value


def _to_user(row: UserRow) -> User:
    return User(id=row.id, **{name: getattr(row, name) for name in _FIELDS})


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, *where: ColumnElement[bool]) -> User | None:
        with translate_errors():
            row = (await self._session.execute(select(UserRow).where(*where))).scalar_one_or_none()
        return None if row is None else _to_user(row)

    async def get(self, user_id: int) -> User | None:
        return await self._one(UserRow.id == user_id)

    async def by_email(self, email: str) -> User | None:
        return await self._one(UserRow.email == email) if _storable(email) else None

    async def by_phone(self, phone: str) -> User | None:
        return await self._one(UserRow.phone == phone) if _storable(phone) else None

    async def username_taken(self, username: str) -> bool:
        if not _storable(username):
            return False
        with translate_errors():
            return bool(
                await self._session.scalar(select(exists().where(UserRow.username_key == username.lower())))
            )

    async def email_taken(self, email: str, *, except_user: int | None = None) -> bool:
        if not _storable(email):
            return False
        condition = or_(UserRow.email == email, UserRow.pending_email == email)
        if except_user is not None:
            condition = condition & (UserRow.id != except_user)
        with translate_errors():
            return bool(await self._session.scalar(select(exists().where(condition))))

    async def add(self, user: NewUser) -> User:
        row = UserRow(
            username=user.username,
            username_key=user.username.lower(),
            email=user.email,
            password_hash=user.password_hash,
            first_name=user.first_name,
            last_name=user.last_name,
            is_staff=user.is_staff,
            date_joined=user.date_joined,
            email_verified=False,
            is_active=True,
        )
        with translate_errors():
            self._session.add(row)
            await self._session.flush()
        return _to_user(row)

    async def update(self, user: User) -> None:
        values = {name: getattr(user, name) for name in _FIELDS} | {
            "username_key": user.username.lower(),
            "updated_at": func.now(),
        }
        with translate_errors():
            await self._session.execute(update(UserRow).where(UserRow.id == user.id).values(**values))
