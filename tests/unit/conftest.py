"""Fixtures for testing gateway routes with the services replaced by a scripted RPC client
(tests/unit/scripted_rpc.py). A test module may define its own to override these."""
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.caller import Caller
from gateway.http.app import GatewaySettings, create_app
from servicekit import tokens
from tests.unit.scripted_rpc import ScriptedRpc


@pytest.fixture
def signing_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def fake_rpc():
    return ScriptedRpc()


@pytest.fixture
def client(signing_key, fake_rpc):
    return create_app(GatewaySettings(rpc=fake_rpc, public_key=signing_key.public_key(),
                                      max_body_bytes=64 * 1024)).test_client()


@pytest.fixture
def as_role(signing_key):
    """as_role(role, **headers): headers with a valid access token of user u1 in m1/n1."""
    def headers(role, **extra):
        caller = Caller(user_id="u1", role=role, municipality_id="m1", neighbourhood_id="n1")
        return dict(extra, Authorization="Bearer " + tokens.issue_access_token(signing_key,
                                                                               caller))
    return headers
