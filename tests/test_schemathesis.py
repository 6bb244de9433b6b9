"""schemathesis against the app's own /openapi.json: every check, 200+ examples an operation.

The app is the one ``make run`` serves (the committed model), with an API key, a
CORS origin and rate limiting on, so that the documented 401s, security schemes and
rate-limit headers are exercised too. Requests go in-process through the WSGI app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from service import create_app
from service.security import OPEN_ENDPOINTS

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"

KEY = "schemathesis-0123456789abcdef"
#: Above anything schemathesis sends in a run: the limits themselves are tested in test_security.
RATE_LIMIT = "1000000/minute"


@pytest.fixture(scope="module")
def fuzzed_app() -> Flask:
    """The app with the committed model, a key, a CORS origin and rate limits on."""
    return create_app(
        {
            "API_KEYS": f"fuzz:{KEY}",
            "CORS_ORIGINS": "https://cms.example.org",
            "RATELIMIT_ENABLED": True,
            "RATE_LIMIT": RATE_LIMIT,
            # One line a request is noise here; a 500 is still logged (ERROR).
            "LOG_LEVEL": "WARNING",
            # As served: a failure is a 500 response that the checks see, not a raised error.
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: Flask):
    """The document as the app serves it, loaded by schemathesis."""
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_response_matches_the_document(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"})


def test_the_open_endpoints_are_the_ones_without_security(fuzzed_app):
    spec = fuzzed_app.test_client().get("/openapi.json").get_json()
    open_paths = {
        path
        for path, operations in spec["paths"].items()
        for operation in operations.values()
        if operation.get("security") == []
    }
    endpoints = {rule.rule: rule.endpoint for rule in fuzzed_app.url_map.iter_rules()}
    assert {endpoints[path] for path in open_paths} == OPEN_ENDPOINTS - {"static"}
