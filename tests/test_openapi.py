"""GET /openapi.json: a valid OpenAPI 3 document of every endpoint, true to what the API answers."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from service import create_app
from service.openapi import MAX_STRIPPED

ENDPOINTS = {
    "/v1/analyze": "post",
    "/v1/analyze/batch": "post",
    "/v1/health": "get",
    "/v1/model": "get",
    "/openapi.json": "get",
    "/": "get",
}
ARTICLE = "Officials hailed tremendous progress. More work is needed."


@pytest.fixture
def spec(client) -> dict:
    """The document as the app serves it."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _validator(spec: dict, component: str) -> Draft202012Validator:
    """A JSON Schema validator for one component schema (OpenAPI 3.1 schemas are 2020-12)."""
    return Draft202012Validator({**spec, "$ref": f"#/components/schemas/{component}"})


def test_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_document_names_every_endpoint(spec):
    assert {path: set(ops) for path, ops in spec["paths"].items()} == {
        path: {method} for path, method in ENDPOINTS.items()
    }


def test_document_names_every_route_of_the_app(app, spec):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes == set(spec["paths"])


def test_analyze_accepts_json_and_plain_text(spec):
    content = spec["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/AnalyzeRequest"}
    assert content["text/plain"]["schema"]["type"] == "string"


def test_request_schemas_reject_unknown_fields(spec):
    schemas = spec["components"]["schemas"]
    for name in ("AnalyzeRequest", "Document", "BatchRequest"):
        assert schemas[name]["additionalProperties"] is False


def test_request_limits_are_documented(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["AnalyzeRequest"]["required"] == ["text"]
    text = schemas["AnalyzeRequest"]["properties"]["text"]
    # DESIGN.md counts a text's characters after stripping: no maxLength on the raw string
    # (a padded text at the limit is valid), the limit is stated beside it.
    assert "maxLength" not in text
    assert text[MAX_STRIPPED] == 100_000
    assert "100000 characters, not counting surrounding whitespace" in text["description"]
    assert schemas["AnalyzeRequest"]["properties"]["id"]["maxLength"] == 200
    assert schemas["BatchRequest"]["properties"]["documents"]["minItems"] == 1
    assert schemas["BatchRequest"]["properties"]["documents"]["maxItems"] == 100


def test_documented_limits_follow_the_config(analyzer):
    app = create_app(
        {"TESTING": True, "ANALYZER": analyzer, "MAX_TEXT_CHARS": 5000, "MAX_BATCH_DOCUMENTS": 7}
    )
    spec = app.test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["AnalyzeRequest"]["properties"]["text"][MAX_STRIPPED] == 5000
    assert schemas["BatchRequest"]["properties"]["documents"]["maxItems"] == 7
    plain = spec["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]["text/plain"]
    assert plain["schema"][MAX_STRIPPED] == 5000


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/v1/analyze", {"200", "400", "413", "415", "422", "500", "503"}),
        ("/v1/analyze/batch", {"200", "400", "413", "415", "422", "500", "503"}),
        ("/v1/health", {"200", "503"}),
        ("/v1/model", {"200", "500", "503"}),
    ],
)
def test_every_status_an_endpoint_answers_is_documented(spec, path, statuses):
    assert set(spec["paths"][path][ENDPOINTS[path]]["responses"]) == statuses


def test_429_is_documented_exactly_where_the_rate_limit_counts(analyzer):
    # The page is not counted (service.security.UNLIMITED_ENDPOINTS), yet it was documented
    # with a 429.
    app = create_app(
        {"TESTING": True, "ANALYZER": analyzer, "RATELIMIT_ENABLED": True, "RATE_LIMIT": "1/hour"}
    )
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    for path, method in ENDPOINTS.items():
        documented = "429" in spec["paths"][path][method]["responses"]
        statuses = [client.open(path, method=method).status_code for _ in range(2)]
        assert documented == (429 in statuses), (path, statuses)


def test_every_error_response_has_the_error_schema(spec):
    for name, response in spec["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, name


def test_batch_results_are_an_analysis_or_a_document_error(spec):
    items = spec["components"]["schemas"]["BatchResponse"]["properties"]["results"]["items"]
    assert items == {
        "oneOf": [
            {"$ref": "#/components/schemas/Analysis"},
            {"$ref": "#/components/schemas/DocumentError"},
        ]
    }


def test_stand_in_responses_match_the_document(client, spec):
    analysis = client.post("/v1/analyze", json={"text": ARTICLE, "title": "T", "explain": True})
    _validator(spec, "Analysis").validate(analysis.get_json())
    batch = client.post("/v1/analyze/batch", json={"documents": [{"text": ARTICLE}, {"text": ""}]})
    _validator(spec, "BatchResponse").validate(batch.get_json())
    _validator(spec, "Health").validate(client.get("/v1/health").get_json())
    _validator(spec, "ModelCard").validate(client.get("/v1/model").get_json())
    _validator(spec, "Error").validate(client.post("/v1/analyze", json={}).get_json())


def test_real_responses_match_the_document(real_client, spec):
    analysis = real_client.post(
        "/v1/analyze", json={"text": ARTICLE, "title": "Talks hailed", "explain": True}
    )
    _validator(spec, "Analysis").validate(analysis.get_json())
    batch = real_client.post(
        "/v1/analyze/batch", json={"documents": [{"text": ARTICLE}, {"text": " "}]}
    )
    _validator(spec, "BatchResponse").validate(batch.get_json())
    _validator(spec, "Health").validate(real_client.get("/v1/health").get_json())
    _validator(spec, "ModelCard").validate(real_client.get("/v1/model").get_json())
