"""Helpers shared by the integration tests (imported after conftest has monkey-patched)."""
from nameko.exceptions import RemoteError

from contracts.errors import DomainError

# Generous but finite: a hung service fails its test instead of hitting the suite's timeout.
RPC_TIMEOUT = 10


# What a failed RPC raises at the caller: a DomainError rebuilt whole (servicekit registers it with
# nameko's deserialiser), or a RemoteError for anything unexpected.
RPC_ERRORS = (DomainError, RemoteError)


def domain_error_code(error):
    """The contracts.errors code a service raised; the DomainError arrives intact, code included."""
    assert isinstance(error, DomainError), error
    return error.code
