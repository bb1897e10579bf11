"""Ended sessions at the gateway: access tokens carry their session id, the gateway learns from
identity which sessions ended and refuses their tokens before they expire."""
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import errors, rpc
from contracts.caller import RESIDENT, Caller
from contracts.errors import DomainError
from gateway.http.app import GatewaySettings, create_app
from gateway.http.revocations import KEEP_SECONDS, OVERLAP_SECONDS, SessionRevocations
from servicekit import tokens


class Identity:
    """Answers REVOKED_SESSIONS from a script; records the `since` it was asked."""

    def __init__(self):
        self.revoked, self.asked, self.down = [], [], False

    def call(self, method, timeout=None, **kwargs):
        assert method == rpc.identity.REVOKED_SESSIONS
        assert kwargs["caller"]["role"] == "system"
        self.asked.append(kwargs["since"])
        if self.down:
            raise DomainError(errors.TIMEOUT, "identity did not answer")
        return {"session_ids": list(self.revoked), "as_of": 1000.0}


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_tokens_name_their_session():
    key = Ed25519PrivateKey.generate()
    caller = Caller(user_id="u1", role=RESIDENT, municipality_id="m1")

    token = tokens.issue_access_token(key, caller, session_id="chain-1")

    claims = tokens.access_token_claims(token, key.public_key())
    assert claims["sid"] == "chain-1"
    assert tokens.caller_from_claims(claims) == caller
    assert "sid" not in tokens.access_token_claims(
        tokens.issue_access_token(key, caller), key.public_key())


def test_polls_ask_from_the_last_answer_with_an_overlap_and_survive_an_outage():
    identity, clock = Identity(), Clock()
    revocations = SessionRevocations(identity, clock=clock)
    identity.revoked = ["chain-1"]

    assert revocations.refresh() is True
    identity.down = True
    assert revocations.refresh() is False

    assert identity.asked == [1000.0 - KEEP_SECONDS, 1000.0 - OVERLAP_SECONDS]
    # identity unreachable: what is known stays in force.
    assert revocations.is_revoked("chain-1")
    assert not revocations.is_revoked("chain-2")


def test_ended_sessions_are_forgotten_once_their_tokens_have_expired():
    identity, clock = Identity(), Clock()
    revocations = SessionRevocations(identity, clock=clock)
    identity.revoked = ["chain-1"]
    revocations.refresh()

    identity.revoked = []
    clock.now += KEEP_SECONDS + 1
    revocations.refresh()

    assert not revocations.is_revoked("chain-1")


def test_the_gateway_refuses_tokens_of_an_ended_session_only():
    key = Ed25519PrivateKey.generate()
    identity = Identity()
    identity.revoked = ["ended"]
    revocations = SessionRevocations(identity)
    revocations.refresh()

    class Rpc:
        def call(self, method, **kwargs):
            return {"id": "u1"}

    client = create_app(GatewaySettings(rpc=Rpc(), public_key=key.public_key(),
                                        revocations=revocations)).test_client()
    caller = Caller(user_id="u1", role=RESIDENT, municipality_id="m1")

    def me(session_id):
        token = tokens.issue_access_token(key, caller, session_id=session_id)
        return client.get("/api/v1/me", headers={"Authorization": "Bearer " + token})

    refused = me("ended")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "this session has ended; sign in again"
    assert me("alive").status_code == 200
    assert me(None).status_code == 200
