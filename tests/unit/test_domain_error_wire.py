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
