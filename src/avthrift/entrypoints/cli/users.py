from typing import Annotated

from cyclopts import App, Parameter
from dishka import Scope

from avthrift.domain.identity.use_cases.registration import CreateUser
from avthrift.entrypoints.cli.runtime import app_container

users_app = App(name="users", help="User accounts.")


@users_app.command(name="create-staff")
async def create_staff(
    *,
    email: str,
    password: Annotated[str, Parameter(help="Checked against the password policy.")],
    username: str | None = None,
) -> None:
    """Create a staff account (the replacement of `createsuperuser`).

    Parameters
    ----------
    email
        Sign-in address of the account.
    password
        Its password.
    username
        Display name; defaults to the email address.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        create_user = await request.get(CreateUser)
        user = await create_user(username=username or email, email=email, password=password, is_staff=True)
    print(f"Created staff account {user.email} (id {user.id}).")
