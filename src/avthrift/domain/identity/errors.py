from avthrift.domain.shared.errors import ConflictError, DomainError, InvalidInputError


class InvalidCredentialsError(InvalidInputError):
    """Unknown identifier, wrong password and inactive account all look the same (no enumeration)."""

    code = "invalid_credentials"
    default_detail = "Invalid credentials."


class InvalidTokenError(DomainError):
    """A JWT that is malformed, expired, of the wrong type or audience, or revoked."""

    code = "token_not_valid"
    default_detail = "Token is invalid or expired."


class InvalidLinkError(InvalidInputError):
    """An emailed uid/token pair that does not verify (unknown, expired, already used)."""

    code = "invalid_link"
    default_detail = "Invalid or expired token."


class NoPendingEmailError(InvalidInputError):
    code = "no_pending_email"
    default_detail = "No pending email change."


class WrongPasswordError(InvalidInputError):
    code = "wrong_password"
    default_detail = "The current password is incorrect."


class PhoneTakenError(ConflictError):
    code = "phone_taken"
    default_detail = "This phone number is already in use."


class EmailInUseError(ConflictError):
    code = "email_taken"
    default_detail = "Email is already in use."
