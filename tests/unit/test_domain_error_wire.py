"""A DomainError survives nameko's wire format as the client sees it: code, message, and details
only when there are some."""
from nameko.exceptions import serialize

from contracts import errors
from contracts.errors import DomainError
from servicekit.rpc_client import error_from_reply


def test_an_error_without_details_arrives_without_details():
    sent = errors.not_found("neighbourhood not found")

    received = error_from_reply("neighbourhood.list_members", serialize(sent))

    assert received.to_dict() == {"code": "not_found", "message": "neighbourhood not found"}


def test_an_error_with_details_keeps_them():
    sent = errors.invalid("invalid neighbourhoods", details={"features.1": "geometry is empty"})

    received = error_from_reply("neighbourhood.import_neighbourhoods", serialize(sent))

    assert received.to_dict() == {"code": "invalid", "message": "invalid neighbourhoods",
                                  "details": {"features.1": "geometry is empty"}}
    assert isinstance(received, DomainError)


def test_numbers_and_lists_in_details_keep_their_types():
    sent = errors.DomainError(errors.RATE_LIMITED, "too many failed logins",
                              details={"retry_after": 840, "fields": ["email", "password"]})

    received = error_from_reply("identity.login", serialize(sent))

    assert received.details == {"retry_after": 840, "fields": ["email", "password"]}
