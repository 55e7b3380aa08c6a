from avthrift.domain.shared.errors import ConflictError, InvalidInputError


class AddressExistsError(ConflictError):
    """The user already has an address with this addr1, city, postal code and country."""

    code = "address_exists"
    default_detail = "An address with the same street, city, postal code and country already exists."


class InvalidDefaultAddressError(InvalidInputError):
    """A default address that is not one of the user's: missing and someone else's look the same
    (no ownership oracle, fix of reference §7.2 #23)."""

    code = "invalid_address"

    def __init__(self, field: str, address_id: int) -> None:
        reason = f'Invalid pk "{address_id}" - object does not exist.'
        super().__init__(reason, invalid_params=[{"name": field, "reason": reason}])
