"""Helpers shared by the integration tests (imported after conftest has monkey-patched)."""
from nameko.exceptions import RemoteError

# Generous but finite: a hung service fails its test instead of hitting the suite's timeout.
RPC_TIMEOUT = 10


def domain_error_code(remote_error):
    """The contracts.errors code a service raised. nameko carries a DomainError across as
    RemoteError("DomainError", "<code>: <message>") — the DomainError.__str__ format."""
    assert isinstance(remote_error, RemoteError), remote_error
    assert remote_error.exc_type == "DomainError", (remote_error.exc_type, remote_error.value)
    return remote_error.value.split(":", 1)[0]
