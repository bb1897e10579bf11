"""The gateway's HTTP behaviour with the services replaced by a scripted RPC client: error shape
and status for every code, authentication, validation, body limit, health and the API document."""
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import errors, rpc, services
from contracts.caller import Caller
from contracts.errors import DomainError
from gateway.http.app import GatewaySettings, create_app
from servicekit import tokens

MUNICIPALITY = {"id": "m1", "slug": "demo", "name": "Demo", "activation_threshold": 10,
                "languages": ["fr"], "created_at": "2026-11-22T00:00:00+00:00"}


class _Answer:
    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def result(self):
        if self.error:
            raise self.error
        return self.value


class ScriptedRpc:
    """Answers RPCs from a dict routing key -> value or DomainError, and records the calls."""

    def __init__(self):
        self.answers = {m.routing_key: {"status": "ok"} for m in rpc.HEALTH.values()}
        self.calls = []

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        self.calls.append((method.routing_key, kwargs, request_id))
        answer = self.answers.get(method.routing_key)
        if isinstance(answer, DomainError):
            return _Answer(error=answer)
        return _Answer(value=answer)

    def call(self, method, timeout=None, request_id=None, **kwargs):
        return self.call_async(method, timeout, request_id, **kwargs).result()


@pytest.fixture
def signing_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def fake_rpc():
    return ScriptedRpc()


@pytest.fixture
def client(signing_key, fake_rpc):
    settings = GatewaySettings(rpc=fake_rpc, public_key=signing_key.public_key(), rpc_timeout=2)
    return create_app(settings).test_client()


@pytest.fixture
def resident():
    return Caller(user_id="u1", role="resident", municipality_id="m1", neighbourhood_id="n1")


@pytest.fixture
def auth(signing_key, resident):
    return {"Authorization": "Bearer " + tokens.issue_access_token(signing_key, resident)}


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_authenticated_route_passes_the_verified_caller_to_the_service(client, fake_rpc, auth):
    fake_rpc.answers[rpc.identity.GET_MUNICIPALITY.routing_key] = MUNICIPALITY
    response = client.get("/api/v1/municipalities/m1", headers=auth)
    assert response.status_code == 200
    assert response.get_json() == MUNICIPALITY
    routing_key, kwargs, request_id = fake_rpc.calls[-1]
    assert routing_key == "identity.get_municipality"
    assert kwargs["caller"]["user_id"] == "u1" and kwargs["caller"]["municipality_id"] == "m1"
    assert kwargs["municipality_id"] == "m1"
    assert request_id == response.headers["X-Request-Id"]


@pytest.mark.parametrize("code,status", [
    (errors.INVALID, 400), (errors.FORBIDDEN, 403), (errors.NOT_FOUND, 404),
    (errors.CONFLICT, 409), (errors.UNPROCESSABLE, 422), (errors.RATE_LIMITED, 429),
    (errors.INTERNAL, 500), (errors.UNAVAILABLE, 503), (errors.TIMEOUT, 504),
])
def test_service_error_codes_map_to_their_http_status(client, fake_rpc, auth, code, status):
    fake_rpc.answers[rpc.identity.GET_MUNICIPALITY.routing_key] = DomainError(code, "because")
    response = client.get("/api/v1/municipalities/m1", headers=auth)
    assert_error(response, status, code)
    assert response.get_json()["error"]["message"] == "because"
    if status in (429, 503):
        assert response.headers["Retry-After"]


def test_missing_token_is_401_and_nothing_is_called(client, fake_rpc):
    response = client.get("/api/v1/municipalities/m1")
    assert_error(response, 401, errors.UNAUTHENTICATED)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert fake_rpc.calls == []


def _forged(claims, key, algorithm):
    return {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm=algorithm)}


def _claims(**overrides):
    now = int(time.time())
    claims = {"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "sub": "u1", "iat": now,
              "exp": now + 600, "role": "admin", "mun": "m1"}
    claims.update(overrides)
    return claims


@pytest.mark.parametrize("make_headers", [
    pytest.param(lambda key: _forged(_claims(), None, "none"), id="alg-none"),
    pytest.param(lambda key: _forged(_claims(), "secret", "HS256"), id="alg-hs256"),
    pytest.param(lambda key: _forged(_claims(aud="someone-else"), key, "EdDSA"), id="wrong-aud"),
    pytest.param(lambda key: _forged(_claims(iss="evil"), key, "EdDSA"), id="wrong-iss"),
    pytest.param(lambda key: _forged(_claims(exp=int(time.time()) - 60), key, "EdDSA"),
                 id="expired"),
    pytest.param(lambda key: _forged(_claims(), Ed25519PrivateKey.generate(), "EdDSA"),
                 id="other-key"),
    pytest.param(lambda key: {"Authorization": "Bearer not.a.token"}, id="garbage"),
])
def test_defective_tokens_are_refused(client, fake_rpc, signing_key, make_headers):
    response = client.get("/api/v1/municipalities/m1", headers=make_headers(signing_key))
    assert_error(response, 401, errors.UNAUTHENTICATED)
    assert fake_rpc.calls == []


def test_unknown_route_and_wrong_method_are_json(client, auth):
    assert_error(client.get("/api/v1/nothing-here", headers=auth), 404, errors.NOT_FOUND)
    response = client.delete("/api/v1/municipalities/m1", headers=auth)
    assert_error(response, 405, errors.METHOD_NOT_ALLOWED)
    assert "GET" in response.headers["Allow"]


def test_body_over_64_kib_is_413(client, auth):
    response = client.put("/api/v1/municipalities/m1", data=b"x" * (64 * 1024 + 1),
                          headers=dict(auth, **{"Content-Type": "application/json"}))
    assert_error(response, 413, errors.PAYLOAD_TOO_LARGE)


def test_query_is_validated_before_any_call(client, fake_rpc, auth):
    response = client.get("/api/v1/municipalities?limit=500", headers=auth)
    assert_error(response, 400, errors.INVALID)
    assert "limit" in response.get_json()["error"]["details"]
    response = client.get("/api/v1/municipalities?unexpected=1", headers=auth)
    assert_error(response, 400, errors.INVALID)
    assert fake_rpc.calls == []


def test_an_impossible_id_is_not_found_without_a_call(client, fake_rpc, auth):
    response = client.get("/api/v1/municipalities/" + "x" * 65, headers=auth)
    assert_error(response, 404, errors.NOT_FOUND)
    assert fake_rpc.calls == []


def test_a_bug_in_a_route_is_a_json_500_without_details(client, fake_rpc, auth):
    fake_rpc.answers[rpc.identity.LIST_MUNICIPALITIES.routing_key] = None
    fake_rpc.call = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("secret detail"))
    response = client.get("/api/v1/municipalities", headers=auth)
    assert_error(response, 500, errors.INTERNAL)
    assert "secret" not in response.get_data(as_text=True)


def test_request_id_is_kept_when_sane_and_replaced_when_not(client):
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers[
        "X-Request-Id"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert replaced != "<script>" and len(replaced) == 32


def test_healthz_is_200_when_every_service_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok",
                                   "services": {name: "ok" for name in services.ALL}}


def test_healthz_is_503_naming_the_service_that_is_down(client, fake_rpc):
    fake_rpc.answers[rpc.HEALTH[services.FEED].routing_key] = DomainError(errors.TIMEOUT, "slow")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["services"]["feed"] == "down"
    assert [name for name, state in body["services"].items() if state == "down"] == ["feed"]


def test_openapi_document_lists_every_registered_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    app_rules = {(rule.rule, method) for rule in client.application.url_map.iter_rules()
                 for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path.replace("{", "<").replace("}", ">"), method.upper())
                  for path, methods in document["paths"].items() for method in methods}
    undocumented = app_rules - documented - {
        ("/api/v1/openapi.json", "GET"), ("/api/v1/docs", "GET"), ("/static/<path:filename>", "GET")}
    assert undocumented == set()
    operation = document["paths"]["/api/v1/municipalities/{municipality_id}"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"401", "404", "503", "504"} <= set(operation["responses"])


def test_docs_page_is_readable_html_built_from_the_document(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/municipalities/{municipality_id}" in page
    assert "Read your municipality" in page
