"""The OpenAPI 3.1 document, built from the route declarations in gateway.http.api, and a
human-readable page rendered from that same document (no external assets: it works offline)."""
import html
import inspect

from contracts import errors
from servicekit import VERSION

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": sorted(errors.STATUS)},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
_STATUS_TEXT = {
    400: "Invalid input", 401: "Missing, invalid or expired access token",
    403: "Not allowed for this role", 404: "Not found (or not visible to you)",
    409: "Conflict", 413: "Request body over the limit", 422: "Unprocessable",
    429: "Rate limited", 500: "Internal error", 503: "A service or the broker is unavailable",
    504: "A service did not answer in time",
}
# Statuses any route can produce, documented once per operation.
_COMMON_STATUSES = (400, 500, 503, 504)


def _error_ref(status):
    return {
        "description": _STATUS_TEXT.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _success_schema(operation, media_type):
    # JSON answers (GeoJSON too) have the declared schema; a CSV export is text.
    if media_type.endswith("json"):
        return operation.response or {"type": "object"}
    return {"type": "string"}


def _operation_document(operation):
    statuses = set(_COMMON_STATUSES) | set(operation.errors)
    if operation.auth:
        statuses.add(401)
    if operation.roles:
        statuses.add(403)
    if operation.body:
        statuses.add(413)
    # An id in the path, or one a query filters by, may name nothing the caller can see.
    if operation.path_params or any(name.endswith("_id") for name in operation.query):
        statuses.add(404)
    if operation.idempotent:
        statuses.add(422)  # the same Idempotency-Key with another request
    responses = {
        str(operation.status): {
            "description": "Success",
            "content": {media_type: {"schema": _success_schema(operation, media_type)}
                        for media_type in operation.media_types},
        }
    }
    responses.update({str(status): _error_ref(status) for status in sorted(statuses)})
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}
        for name in operation.path_params
    ] + [
        {"name": name, "in": "query", "required": name in operation.required_query,
         "schema": schema, **({"description": schema["description"]} if "description" in schema else {})}
        for name, schema in operation.query.items()
    ]
    if operation.idempotent:
        parameters.append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,128}$"},
            "description": "Retrying with the same key returns the first response instead of "
                           "creating again (kept 24 h); the same key with another body is 422.",
        })
    document = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
    }
    description = inspect.getdoc(operation.handler)
    if description:
        document["description"] = description
    if operation.roles:
        document["x-roles"] = sorted(operation.roles)
    if operation.auth:
        document["security"] = [{"bearerAuth": []}]
    else:
        document["security"] = []
    if operation.body:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": operation.body}},
        }
    return document


def _links(created, operations):
    """OpenAPI links from an operation creating an object (201 under a collection path) to the
    operations on that object (`<collection>/{id}...`): the new object's `id` fills their path
    parameter. Clients and stateful testers (schemathesis) follow them from one call to the next."""
    links = {}
    prefix = created.path + "/{"
    for operation in operations:
        if not operation.path.startswith(prefix):
            continue
        params = operation.path_params
        # Exactly one parameter more than the creating path: the new object's id.
        if params[:-1] != created.path_params or len(params) != len(created.path_params) + 1:
            continue
        parameters = {name: "$request.path.%s" % name for name in created.path_params}
        parameters[params[-1]] = "$response.body#/id"
        links[operation.operation_id] = {"operationId": operation.operation_id,
                                         "parameters": parameters}
    return links


def build_document(operations, server_url=None):
    paths = {}
    for operation in sorted(operations, key=lambda op: (op.path, op.method)):
        document = _operation_document(operation)
        if operation.method == "POST" and operation.status == 201:
            links = _links(operation, operations)
            if links:
                document["responses"][str(operation.status)]["links"] = links
        paths.setdefault(operation.path, {})[operation.method.lower()] = document
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Quartier API",
            "version": VERSION,
            "description": (
                "The HTTP API of Quartier, the address-verified neighbourhood network. "
                "Authenticate with `Authorization: Bearer <access token>`. Errors are "
                '`{"error": {"code", "message"}}` with the status given per operation. '
                "Objects you may not see answer 404, never 403, so their existence is not revealed."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document


def render_docs_page(document):
    """A readable page: one section per tag, one block per operation."""
    by_tag = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method, operation))
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Quartier API</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "color:#222}code,pre{background:#f4f4f4;padding:.1rem .3rem;border-radius:3px}"
        "pre{padding:.6rem;overflow:auto}.op{border-left:4px solid #4a7;padding:.2rem 1rem;"
        "margin:1rem 0}.m{font-weight:bold;text-transform:uppercase;margin-right:.5rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;"
        "text-align:left}",
        "</style></head><body>",
        "<h1>%s <small>%s</small></h1>" % (
            html.escape(document["info"]["title"]), html.escape(document["info"]["version"])
        ),
        "<p>%s</p>" % html.escape(document["info"]["description"]),
        "<p>Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a></p>",
    ]
    for tag in sorted(by_tag):
        parts.append("<h2>%s</h2>" % html.escape(tag))
        for path, method, operation in by_tag[tag]:
            parts.append("<div class='op' id='%s'>" % html.escape(operation["operationId"]))
            parts.append("<p><span class='m'>%s</span><code>%s</code> — %s</p>" % (
                html.escape(method), html.escape(path), html.escape(operation["summary"])
            ))
            if operation.get("description"):
                parts.append("<p>%s</p>" % html.escape(operation["description"]))
            access = "public" if not operation["security"] else "bearer token"
            if operation.get("x-roles"):
                access += "; roles: " + ", ".join(operation["x-roles"])
            parts.append("<p><em>Access:</em> %s</p>" % html.escape(access))
            if operation["parameters"]:
                parts.append("<table><tr><th>parameter</th><th>in</th><th>required</th>"
                             "<th>schema</th></tr>")
                for parameter in operation["parameters"]:
                    parts.append("<tr><td><code>%s</code></td><td>%s</td><td>%s</td>"
                                 "<td><code>%s</code></td></tr>" % (
                                     html.escape(parameter["name"]), parameter["in"],
                                     "yes" if parameter["required"] else "no",
                                     html.escape(str(parameter["schema"]))))
                parts.append("</table>")
            if "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                parts.append("<p>Body:</p><pre>%s</pre>" % html.escape(_pretty(schema)))
            parts.append("<p>Responses: %s</p>" % ", ".join(
                "<code>%s</code> %s" % (status, html.escape(response["description"]))
                for status, response in operation["responses"].items()
            ))
            parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _pretty(schema):
    import json

    return json.dumps(schema, indent=2, ensure_ascii=False)
