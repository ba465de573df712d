"""/v1/openapi.json stays true: valid OpenAPI 3, the same paths and methods as the app's /v1/ routes, its
examples accepted and its responses and parameter bounds the server's, checked against the real server."""

import json

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def document(server):
    status, headers, body = server.request("GET", "/v1/openapi.json")
    assert (status, headers["content-type"]) == (200, "application/json")
    return json.loads(body)


def operations(document):
    """(path, method, operation) of every documented operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method.upper(), operation


def check_against(document, schema: dict, value):
    """Validate `value` against a schema of the document, its #/components/... references resolved."""
    OAS30Validator({**schema, "components": document["components"]}).validate(value)


def check_response(document, operation, response, status: int = 200):
    """The response's status, content type and (JSON) body as the operation documents them."""
    got, headers, body = response
    assert got == status, body
    documented = operation["responses"].get(str(status)) or operation["responses"][f"{str(status)[0]}XX"]
    if "$ref" in documented:
        documented = document["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    media = headers["content-type"].partition(";")[0]
    assert media in documented["content"], f"{media} is not documented for {status}"
    if media == "application/json":
        check_against(document, documented["content"][media]["schema"], json.loads(body))


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_documented_paths_and_methods_are_the_apps_routes(document):
    from edgevae.runtime.server.app import PAGE_FILES, create_app
    from edgevae.runtime.server.service import load_service

    app = create_app(load_service(None, False, 1), log_requests=False)
    served = {
        route.path: route.methods - {"HEAD"}  # Starlette answers HEAD wherever it answers GET
        for route in app.routes
        if route.path.startswith("/v1/")
    }
    documented = {}
    for path, method, _ in operations(document):
        documented.setdefault(path, set()).add(method)
    assert documented == served
    # Everything else the app serves is the page's files, not API.
    others = {route.path for route in app.routes if not route.path.startswith("/v1/")}
    assert others == {f"/{url}" for url in PAGE_FILES}


def test_undocumented_methods_are_refused(server, document):
    for path, item in document["paths"].items():
        for method in {"GET", "POST", "PUT", "DELETE"} - {m.upper() for m in item}:
            status, _, body = server.request(method, path)
            assert status == 405, (method, path, body)


def test_every_example_is_accepted_as_documented(server, document):
    examples = 0
    for path, method, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        for media, entry in content.items():
            for example in entry.get("examples", {}).values():
                check_against(document, entry["schema"], example["value"])
                response = server.request(method, path, json.dumps(example["value"]), {"Content-Type": media})
                check_response(document, operation, response)
                examples += 1
    assert examples >= 4


def test_bodiless_operations_answer_as_documented(server, document):
    for path, method, operation in operations(document):
        if "requestBody" not in operation:
            check_response(document, operation, server.request(method, path))


def test_query_parameter_bounds_are_the_servers(server, document):
    """Each documented bound is accepted and the first value past it refused (a 4XX as documented)."""
    checked = 0
    for path, method, operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema, name = parameter["schema"], parameter["name"]
            step = 1 if schema["type"] == "integer" else 1e-3
            accepted, refused = [], []
            if schema["type"] == "boolean":
                accepted = ["true", "false"]
                refused = ["maybe"]
            for bound, outward in (("minimum", -step), ("maximum", step)):
                if bound not in schema:
                    continue
                # OpenAPI 3.0's exclusiveMinimum/exclusiveMaximum are flags that exclude the bound itself.
                excluded = schema.get(f"exclusive{bound.capitalize()}", False)
                accepted.append(schema[bound] - outward if excluded else schema[bound])
                refused.append(schema[bound] if excluded else schema[bound] + outward)
            body = json.dumps({"pixels": [[0.0] * 784]}) if method == "POST" else None
            headers = {"Content-Type": "application/json"} if body else {}
            for value, status in [(v, 200) for v in accepted] + [(v, 400) for v in refused]:
                response = server.request(method, f"{path}?{name}={value}", body, headers)
                check_response(document, operation, response, status)
                checked += 1
    assert checked >= 10


def test_a_refusal_is_the_documented_error(server, document):
    operation = document["paths"]["/v1/generate"]["post"]
    check_response(document, operation, server.post_json("/v1/generate", {}), 400)
