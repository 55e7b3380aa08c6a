"""`/api/v1/auth/` and `/api/v1/account/`: thin adapters from HTTP to the identity use cases."""

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody

from avthrift.domain.identity.model import User, identifier_key
from avthrift.domain.identity.use_cases.account import (
    ConfirmEmailChange,
    GetAccount,
    ProfileChanges,
    RequestEmailChange,
    UpdateProfile,
)
from avthrift.domain.identity.use_cases.passwords import ChangePassword, RequestPasswordReset, ResetPassword
from avthrift.domain.identity.use_cases.registration import ConfirmEmail, Register, RequestEmailVerification
from avthrift.domain.identity.use_cases.sessions import RefreshTokens, SignIn, SignOut, VerifyToken
from avthrift.entrypoints.http.auth import BEARER_SECURITY, authenticated, optional_principal, principal
from avthrift.entrypoints.http.identity.schemas import (
    AccountOut,
    DetailOut,
    EmailChangeIn,
    EmailIn,
    EmptyOut,
    LinkIn,
    OptionalEmailIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    ProfilePatchIn,
    RefreshIn,
    RegisteredOut,
    RegisterIn,
    SignInIn,
    TokenPairOut,
    VerifyIn,
)
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE, RateLimiter

RESET_SENT = "If the email exists, a reset will be sent."
VERIFICATION_SENT = "If the account exists, a verification will be sent."
CHANGE_SENT = "If the email is valid, a confirmation has been sent."


def _account(user: User) -> AccountOut:
    return AccountOut(
        id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        phone=user.phone,
        email_verified=user.email_verified,
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]  # noqa: RUF012
    opt = {RATE_SCOPE: "token_verify"}  # noqa: RUF012 - for OPTIONS; each operation names its own

    @post(
        "/signin",
        status_code=200,
        opt={RATE_SCOPE: "signin"},
        summary="Sign in",
        responses=problem_responses(400, 429),
    )
    async def signin(
        self, data: JSONBody[SignInIn], sign_in: FromDishka[SignIn], limiter: FromDishka[RateLimiter]
    ) -> TokenPairOut:
        """Email (case-insensitive) or E.164 phone + password. Every failure is the same `400
        "Invalid credentials."`. Limited per client (`signin`) and per account (`signin_account`)."""
        await limiter.hit("signin_account", identifier_key(data.identifier))
        tokens = await sign_in(data.identifier, data.password)
        return TokenPairOut(access=tokens.access, refresh=tokens.refresh)

    @post(
        "/refresh",
        status_code=200,
        opt={RATE_SCOPE: "token_refresh"},
        summary="Rotate a refresh token",
        responses=problem_responses(400, 401, 429),
    )
    async def refresh(
        self, data: JSONBody[RefreshIn], refresh_tokens: FromDishka[RefreshTokens]
    ) -> TokenPairOut:
        """Answers a new access **and** refresh token; the presented refresh token is spent. Presenting
        a spent one again revokes every token of its sign-in (`401`)."""
        tokens = await refresh_tokens(data.refresh)
        return TokenPairOut(access=tokens.access, refresh=tokens.refresh)

    @post(
        "/verify",
        status_code=200,
        opt={RATE_SCOPE: "token_verify"},
        summary="Check a token",
        responses=problem_responses(400, 401, 429),
    )
    async def verify(self, data: JSONBody[VerifyIn], verify_token: FromDishka[VerifyToken]) -> EmptyOut:
        """`200 {}` for a valid, unrevoked access or refresh token; `401` otherwise."""
        await verify_token(data.token)
        return EmptyOut()

    @post(
        "/signout",
        status_code=200,
        opt={RATE_SCOPE: "signout"},
        summary="Sign out",
        responses=problem_responses(400, 401, 429),
    )
    async def signout(self, data: JSONBody[RefreshIn], sign_out: FromDishka[SignOut]) -> DetailOut:
        """Revokes the refresh token and every token rotated from the same sign-in."""
        await sign_out(data.refresh)
        return DetailOut(detail="Signed out.")


class AccountController(Controller):
    path = "/api/v1/account"
    tags = ["account"]  # noqa: RUF012
    opt = {RATE_SCOPE: "account"}  # noqa: RUF012 - for OPTIONS; each operation names its own

    @get(
        "/profile",
        guards=[authenticated],
        security=BEARER_SECURITY,
        opt={RATE_SCOPE: "profile"},
        summary="My account",
        responses=problem_responses(401, 429),
    )
    async def profile(
        self, request: Request[Any, Any, Any], get_account: FromDishka[GetAccount]
    ) -> AccountOut:
        return _account(await get_account(principal(request).id))

    @patch(
        "/profile",
        guards=[authenticated],
        security=BEARER_SECURITY,
        opt={RATE_SCOPE: "profile"},
        summary="Update my name or phone",
        responses=problem_responses(400, 401, 409, 429),
    )
    async def update_profile(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ProfilePatchIn],
        update: FromDishka[UpdateProfile],
    ) -> AccountOut:
        """Omitted fields stay as they are; `phone` is E.164 and unique (`409 phone_taken`);
        `""` clears it."""
        changes = ProfileChanges(first_name=data.first_name, last_name=data.last_name, phone=data.phone)
        return _account(await update(principal(request).id, changes))

    @post(
        "/register",
        opt={RATE_SCOPE: "register"},
        summary="Create an account",
        responses=problem_responses(400, 429),
    )
    async def register(self, data: JSONBody[RegisterIn], register: FromDishka[Register]) -> RegisteredOut:
        """`201`; the email-verification link goes to the address by email only."""
        user = await register(
            username=data.username,
            email=data.email,
            password=data.password,
            first_name=data.first_name,
            last_name=data.last_name,
        )
        return RegisteredOut(
            id=user.id,
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @post(
        "/password-reset",
        status_code=200,
        opt={RATE_SCOPE: "password_reset"},
        summary="Email a password-reset link",
        responses=problem_responses(400, 429),
    )
    async def password_reset(
        self,
        data: JSONBody[EmailIn],
        request_reset: FromDishka[RequestPasswordReset],
        limiter: FromDishka[RateLimiter],
    ) -> DetailOut:
        """The same answer whether or not the address has an account."""
        await limiter.hit("password_reset_account", data.email.strip().lower())
        await request_reset(data.email)
        return DetailOut(detail=RESET_SENT)

    @post(
        "/password-reset/confirm",
        status_code=200,
        opt={RATE_SCOPE: "password_reset"},
        summary="Set a new password from an emailed link",
        responses=problem_responses(400, 429),
    )
    async def password_reset_confirm(
        self, data: JSONBody[PasswordResetConfirmIn], reset: FromDishka[ResetPassword]
    ) -> DetailOut:
        """Signs out every session of the account."""
        await reset(uid=data.uid, token=data.token, new_password=data.new_password)
        return DetailOut(detail="Password has been reset.")

    @post(
        "/email-verify",
        status_code=200,
        opt={RATE_SCOPE: "email_verify"},
        summary="Email a verification link",
        responses=problem_responses(400, 429),
    )
    async def email_verify(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[OptionalEmailIn],
        request_verification: FromDishka[RequestEmailVerification],
    ) -> DetailOut:
        """For the signed-in user when a token is sent, else for `email`; the same answer either way."""
        caller = optional_principal(request)
        if caller is not None:
            await request_verification(user_id=caller.id)
        else:
            await request_verification(email=data.email or "")
        return DetailOut(detail=VERIFICATION_SENT)

    @post(
        "/email-verify/confirm",
        status_code=200,
        opt={RATE_SCOPE: "email_verify"},
        summary="Confirm an email address from an emailed link",
        responses=problem_responses(400, 429),
    )
    async def email_verify_confirm(
        self, data: JSONBody[LinkIn], confirm: FromDishka[ConfirmEmail]
    ) -> DetailOut:
        await confirm(uid=data.uid, token=data.token)
        return DetailOut(detail="Email verified.")

    @post(
        "/email-reset",
        status_code=200,
        guards=[authenticated],
        security=BEARER_SECURITY,
        opt={RATE_SCOPE: "email_reset"},
        summary="Email a link that moves the account to a new address",
        responses=problem_responses(400, 401, 429),
    )
    async def email_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[EmailChangeIn],
        request_change: FromDishka[RequestEmailChange],
    ) -> DetailOut:
        """The link goes to the new address; an address already in use answers the same and gets nothing."""
        await request_change(user_id=principal(request).id, new_email=data.new_email)
        return DetailOut(detail=CHANGE_SENT)

    @post(
        "/email-reset/confirm",
        status_code=200,
        opt={RATE_SCOPE: "email_reset"},
        summary="Confirm an email change from an emailed link",
        responses=problem_responses(400, 409, 429),
    )
    async def email_reset_confirm(
        self, data: JSONBody[LinkIn], confirm: FromDishka[ConfirmEmailChange]
    ) -> DetailOut:
        await confirm(uid=data.uid, token=data.token)
        return DetailOut(detail="Email updated.")

    @post(
        "/password-change",
        status_code=200,
        guards=[authenticated],
        security=BEARER_SECURITY,
        opt={RATE_SCOPE: "account"},
        summary="Change my password",
        responses=problem_responses(400, 401, 429),
    )
    async def password_change(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordChangeIn],
        change: FromDishka[ChangePassword],
    ) -> DetailOut:
        """Signs out every session of the account, this one's refresh token included."""
        await change(
            user_id=principal(request).id,
            current_password=data.current_password,
            new_password=data.new_password,
        )
        return DetailOut(detail="Password changed.")
