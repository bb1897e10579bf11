"""What the generated OpenAPI document promises, on the routes schemathesis holds it to: every
status a route answers, the media type of non-JSON answers, links from a created object to the
operations on it; and the gateway's validation message naming the field at fault."""
from gateway.http.api import api
from gateway.http.openapi import build_document

DOCUMENT = build_document(api.operations)


def responses(method, path):
    return DOCUMENT["paths"][path][method]["responses"]


def test_an_id_in_the_query_documents_404():
    assert "404" in responses("get", "/api/v1/feed")
    assert "404" in responses("get", "/api/v1/city/organisations")


def test_csv_and_geojson_answers_are_documented_as_what_they_are():
    assert list(responses("get", "/api/v1/budgets/{budget_id}/results.csv")["200"]["content"]) == [
        "text/csv"]
    assert list(responses("get", "/api/v1/neighbourhoods/{neighbourhood_id}/organisations")
                ["200"]["content"]) == ["application/geo+json"]
    assert set(responses("post", "/api/v1/city/invitations")["201"]["content"]) == {
        "application/json", "text/csv"}


def test_a_created_post_links_to_the_operations_on_it():
    links = responses("post", "/api/v1/posts")["201"]["links"]
    assert links["get_post"] == {"operationId": "get_post",
                                 "parameters": {"post_id": "$response.body#/id"}}
    assert "add_comment" in links
    comment_links = responses("post", "/api/v1/posts/{post_id}/comments")["201"]["links"]
    assert comment_links["get_comment_translation"]["parameters"] == {
        "post_id": "$request.path.post_id", "comment_id": "$response.body#/id"}


def test_the_undocumented_statuses_found_by_fuzzing_are_documented():
    assert "404" in responses("get", "/api/v1/me/helper-profile")
    assert "401" in responses("post", "/api/v1/auth/login")
    assert "401" in responses("post", "/api/v1/auth/refresh")
    # An Idempotency-Key reused with another request, on every route taking one.
    assert "422" in responses("delete", "/api/v1/me/helper-profile")
    assert all("422" in operation["responses"] for methods in DOCUMENT["paths"].values()
               for operation in methods.values()
               if any(p["name"] == "Idempotency-Key" for p in operation["parameters"]))


def test_a_body_type_mismatch_names_the_field(client, as_role):
    response = client.patch("/api/v1/me", json={"display_name": 42}, headers=as_role("resident"))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["message"].startswith("invalid request body: display_name: ")
    assert "display_name" in error["details"]


def test_a_deeply_nested_body_is_400_before_parsing(client, as_role):
    response = client.patch("/api/v1/me", data="[" * 5000 + "]" * 5000,
                            headers=as_role("resident", **{"Content-Type": "application/json"}))
    assert response.status_code == 400
    assert "nests deeper than 32 levels" in response.get_json()["error"]["message"]


def test_numbers_beyond_64_bits_are_refused_at_the_gateway(client, fake_rpc, as_role):
    # They reached the stores, whose OverflowError was a 500.
    after = client.get("/api/v1/budgets/b1/log?after_seq=%d" % 2 ** 80, headers=as_role("resident"))
    assert after.status_code == 400 and "after_seq" in after.get_json()["error"]["message"]
    cost = client.post("/api/v1/budgets/b1/projects", json={"title": "Big", "cost": 10 ** 30},
                       headers=as_role("resident"))
    assert cost.status_code == 400 and "cost" in cost.get_json()["error"]["details"]
    assert fake_rpc.calls == []
    documented = DOCUMENT["paths"]["/api/v1/budgets/{budget_id}/log"]["get"]["parameters"]
    assert {"name": "after_seq", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2 ** 63 - 1}} in documented
