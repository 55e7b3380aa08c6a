"""Password policy (contract §3): the checks of Django's four default validators.

`common-passwords.txt.gz` is Django's list of 20,000 common passwords (BSD licence, by Royce
Williams), shipped with the project.
"""

import gzip
from difflib import SequenceMatcher
from functools import cache
from importlib.resources import files

from avthrift.domain.shared.errors import InvalidInputError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # argon2 would hash anything; refuse absurd inputs before spending CPU on them
MAX_SIMILARITY = 0.7


@cache
def _common_passwords() -> frozenset[str]:
    data = files("avthrift.domain.identity").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode().splitlines())


def _too_similar(password: str, value: str) -> bool:
    lowered = password.lower()
    parts = [value.lower(), *value.lower().replace("@", " ").replace(".", " ").replace("_", " ").split()]
    return any(
        part
        and SequenceMatcher(a=lowered, b=part).quick_ratio() >= MAX_SIMILARITY
        and SequenceMatcher(a=lowered, b=part).ratio() >= MAX_SIMILARITY
        for part in parts
    )


def password_problems(password: str, *, email: str = "", username: str = "") -> list[str]:
    """Every rule the password breaks, as user-facing sentences (empty: acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"This password is too short. It must contain at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"This password is too long. It must contain at most {MAX_LENGTH} characters.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    if password.lower().strip() in _common_passwords():
        problems.append("This password is too common.")
    for label, value in (("email address", email), ("username", username)):
        if value and _too_similar(password, value):
            problems.append(f"The password is too similar to the {label}.")
    return problems


def check_password(password: str, *, email: str = "", username: str = "", field: str = "password") -> None:
    """Raise a `400` listing every broken rule under `field`."""
    problems = password_problems(password, email=email, username=username)
    if problems:
        raise InvalidInputError(
            " ".join(problems), invalid_params=[{"name": field, "reason": problem} for problem in problems]
        )
